package cli

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// model.json holds the parts of the Secrets Manager service model (from
// botocore, Apache License 2.0) that the commands need: operations, shapes,
// member order, constraints and documentation. testdata/genmodel.py writes it.
//
//go:embed model.json
var modelJSON []byte

type shape struct {
	Type     string   `json:"type"`
	Members  []member `json:"members"`
	Required []string `json:"required"`
	Member   string   `json:"member"`
	Key      string   `json:"key"`
	Value    string   `json:"value"`
	Enum     []string `json:"enum"`
	Min      *float64 `json:"min"`
	Max      *float64 `json:"max"`
}

type member struct {
	Name     string `json:"name"`
	Shape    string `json:"shape"`
	Doc      string `json:"doc"`
	Overview string `json:"overview"`
}

type operation struct {
	Name   string `json:"name"`
	Input  string `json:"input"`
	Output string `json:"output"`
	Doc    string `json:"doc"`
}

type serviceModel struct {
	Operations []operation       `json:"operations"`
	Shapes     map[string]*shape `json:"shapes"`
}

var loadModel = sync.OnceValue(func() *serviceModel {
	var m serviceModel
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		panic("cli: the embedded service model is not valid: " + err.Error())
	}
	return &m
})

func (m *serviceModel) shape(name string) *shape { return m.Shapes[name] }

func (s *shape) required(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

func (s *shape) member(name string) (member, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return member{}, false
}

// operationByCLIName finds an operation by its command name (rotate-secret).
func (m *serviceModel) operationByCLIName(name string) (operation, bool) {
	for _, op := range m.Operations {
		if xformName(op.Name) == name {
			return op, true
		}
	}
	return operation{}, false
}

var (
	firstCap = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCap   = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// xformName turns a model name into its command-line name as botocore's
// xform_name does: RotationLambdaARN becomes rotation-lambda-arn.
func xformName(name string) string {
	s := firstCap.ReplaceAllString(name, "${1}-${2}")
	return strings.ToLower(endCap.ReplaceAllString(s, "${1}-${2}"))
}

// paginator describes an operation that the aws CLI pages through by itself.
type paginator struct {
	inputToken, outputToken, limitKey, resultKey string
}

var paginators = map[string]paginator{
	"ListSecrets": {inputToken: "NextToken", outputToken: "NextToken", limitKey: "MaxResults", resultKey: "SecretList"},
}
