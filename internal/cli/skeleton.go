package cli

import (
	"fmt"
	"strings"
)

// blobPlaceholder is a blob in a skeleton: null in JSON, !!binary ” in YAML.
type blobPlaceholder struct{}

// skeleton builds a sample value of a shape as botocore's ArgumentGenerator
// does: "" (or the first enum value, or with memberNames the member's name)
// for strings, 0, true, one list element, a map with the key "KeyName".
func skeleton(m *serviceModel, name string, sh *shape, stack []string, memberNames bool) any {
	stack = append(stack, name)
	switch sh.Type {
	case "structure":
		o := newObject()
		if countOf(stack, name) > 1 {
			return o
		}
		for _, mem := range sh.Members {
			o.set(mem.Name, skeletonMember(m, mem.Shape, mem.Name, stack, memberNames))
		}
		return o
	case "list":
		memberName := ""
		if memberNames {
			memberName = sh.Member
		}
		return []any{skeletonMember(m, sh.Member, memberName, stack, memberNames)}
	case "map":
		o := newObject()
		o.set("KeyName", skeletonMember(m, sh.Value, "", stack, memberNames))
		return o
	}
	return nil
}

func skeletonMember(m *serviceModel, shapeName, memberName string, stack []string, memberNames bool) any {
	sh := m.shape(shapeName)
	switch sh.Type {
	case "structure", "list", "map":
		return skeleton(m, shapeName, sh, stack, memberNames)
	case "string":
		if memberNames {
			return memberName
		}
		if len(sh.Enum) > 0 {
			return sh.Enum[0]
		}
		return ""
	case "integer", "long":
		return int64(0)
	case "float", "double":
		return 0.0
	case "boolean":
		return true
	case "timestamp":
		return "1970-01-01T00:00:00"
	case "blob":
		if memberNames {
			return nil
		}
		return blobPlaceholder{}
	}
	return nil
}

func countOf(stack []string, name string) int {
	n := 0
	for _, s := range stack {
		if s == name {
			n++
		}
	}
	return n
}

// inputSkeletonJSON is what --generate-cli-skeleton [input] prints.
func inputSkeletonJSON(m *serviceModel, op operation) string {
	v := skeleton(m, op.Input, m.shape(op.Input), nil, false)
	var b strings.Builder
	writeJSON(&b, jsonBlobs(v), 0, nil, true)
	b.WriteString("\n")
	return b.String()
}

// jsonBlobs replaces blob placeholders by null.
func jsonBlobs(v any) any {
	switch x := v.(type) {
	case blobPlaceholder:
		return nil
	case *object:
		for _, k := range x.keys {
			x.vals[k] = jsonBlobs(x.vals[k])
		}
	case []any:
		for i := range x {
			x[i] = jsonBlobs(x[i])
		}
	}
	return v
}

// inputSkeletonYAML is what --generate-cli-skeleton yaml-input prints: the
// skeleton with each member's first sentence of documentation as a comment,
// laid out as the aws CLI's YAML library lays it out.
func inputSkeletonYAML(m *serviceModel, op operation) string {
	in := m.shape(op.Input)
	v := skeleton(m, op.Input, in, nil, false).(*object)
	if len(v.keys) == 0 {
		return "{}\n"
	}
	var b strings.Builder
	yamlObject(&b, m, in, v, 0, false)
	return b.String()
}

func yamlObject(b *strings.Builder, m *serviceModel, sh *shape, o *object, indent int, inSeq bool) {
	for i, k := range o.keys {
		prefix := strings.Repeat(" ", indent)
		if inSeq && i == 0 {
			prefix = strings.Repeat(" ", indent-2) + "- "
		}
		var comment string
		var msh *shape
		if sh != nil && sh.Type == "structure" {
			mem, _ := sh.member(k)
			msh = m.shape(mem.Shape)
			comment = memberComment(sh, mem, msh)
		}
		v := o.vals[k]
		switch x := v.(type) {
		case *object:
			b.WriteString(prefix + k + ":" + commentText(" ", comment) + "\n")
			yamlObject(b, m, msh, x, indent+2, false)
		case []any:
			b.WriteString(prefix + k + ":" + commentText(" ", comment) + "\n")
			var elem *shape
			if msh != nil {
				elem = m.shape(msh.Member)
			}
			yamlList(b, m, elem, x, indent)
		default:
			sep := " "
			if i == 0 {
				sep = "  "
			}
			b.WriteString(prefix + k + ": " + yamlScalar(v) + commentText(sep, comment) + "\n")
		}
	}
}

func yamlList(b *strings.Builder, m *serviceModel, elem *shape, list []any, indent int) {
	for _, e := range list {
		switch x := e.(type) {
		case *object:
			yamlObject(b, m, elem, x, indent+2, true)
		default:
			b.WriteString(strings.Repeat(" ", indent) + "- " + yamlScalar(e) + "\n")
		}
	}
}

func commentText(sep, comment string) string {
	if strings.TrimSpace(comment) == "" {
		return ""
	}
	return sep + "# " + comment
}

func memberComment(parent *shape, mem member, sh *shape) string {
	var parts []string
	if parent.required(mem.Name) {
		parts = append(parts, "[REQUIRED]")
	}
	parts = append(parts, mem.Overview)
	if len(sh.Enum) > 0 {
		parts = append(parts, "Valid values are: "+strings.Join(sh.Enum, ", ")+".")
	}
	return strings.Join(parts, " ")
}

func yamlScalar(v any) string {
	switch x := v.(type) {
	case blobPlaceholder:
		return "!!binary ''"
	case string:
		if x == "" {
			return "''"
		}
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// validateSkeleton checks a generated output against the output shape's
// constraints as botocore's stubber does before the aws CLI prints it. The
// aws CLI refuses most Secrets Manager output skeletons this way (sample ARNs
// are too short), and rotor reproduces that.
func validateSkeleton(m *serviceModel, sh *shape, v any, path string, problems *[]string) {
	switch sh.Type {
	case "structure":
		o, ok := v.(*object)
		if !ok {
			return
		}
		for _, k := range o.keys {
			mem, _ := sh.member(k)
			validateSkeleton(m, m.shape(mem.Shape), o.vals[k], join(path, k), problems)
		}
	case "list":
		list, _ := v.([]any)
		if sh.Min != nil && float64(len(list)) < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", path, len(list), int(*sh.Min)))
		}
		for i, e := range list {
			validateSkeleton(m, m.shape(sh.Member), e, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		o, ok := v.(*object)
		if !ok {
			return
		}
		for _, k := range o.keys {
			validateSkeleton(m, m.shape(sh.Key), k, fmt.Sprintf("%s (key: %s)", path, k), problems)
			validateSkeleton(m, m.shape(sh.Value), o.vals[k], fmt.Sprintf("%s.%s", path, k), problems)
		}
	case "string":
		s, _ := v.(string)
		if sh.Min != nil && float64(len([]rune(s))) < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", path, len([]rune(s)), int(*sh.Min)))
		}
	case "integer", "long":
		n, _ := v.(int64)
		if sh.Min != nil && float64(n) < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid value for parameter %s, value: %d, valid min value: %d", path, n, int(*sh.Min)))
		}
	case "blob":
		if v == nil {
			*problems = append(*problems, fmt.Sprintf("Invalid type for parameter %s, value: None, type: <class 'NoneType'>, valid types: <class 'bytes'>, <class 'bytearray'>, file-like object", path))
		}
	}
}

// outputSkeleton is the sample output of --generate-cli-skeleton output, or
// the validation failure the aws CLI reports for it.
func outputSkeleton(m *serviceModel, op operation) (any, error) {
	if op.Output == "" {
		return newObject(), nil
	}
	sh := m.shape(op.Output)
	v := skeleton(m, op.Output, sh, nil, true)
	var problems []string
	validateSkeleton(m, sh, v, "", &problems)
	if len(problems) > 0 {
		return nil, paramErrorf("\nParameter validation failed:\n%s", strings.Join(problems, "\n"))
	}
	return v, nil
}
