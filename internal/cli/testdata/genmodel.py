# Writes internal/cli/model.json: the parts of the Secrets Manager service
# model (botocore, Apache License 2.0) that rotor's command line needs, from
# Debian's awscli package (the reference) and, for BatchGetSecretValue, a
# newer model. Run with Debian's python3: python3 genmodel.py ../model.json
import json, gzip, os, re, sys, xml.dom.minidom, xml.parsers.expat
sys.path.insert(0, '/usr/lib/python3/dist-packages')
from awscli.customizations.utils import get_shape_doc_overview
from botocore.model import ServiceModel
base = json.load(open('/usr/lib/python3/dist-packages/awscli/botocore/data/secretsmanager/2017-10-17/service-2.json'))
# A newer botocore model (pip's botocore, for one): NEWER_MODEL=path/to/service-2.json[.gz].
newer_path = os.environ['NEWER_MODEL']
newer = json.load(gzip.open(newer_path) if newer_path.endswith('.gz') else open(newer_path))
# BatchGetSecretValue is newer than the Debian awscli model: take it and the
# shapes it needs from the newer model.
op = newer['operations']['BatchGetSecretValue']
base['operations']['BatchGetSecretValue'] = op
def need(name):
    if name in base['shapes']:
        return
    s = newer['shapes'][name]
    base['shapes'][name] = s
    for m in s.get('members', {}).values(): need(m['shape'])
    for k in ('member', 'key', 'value'):
        if k in s: need(s[k]['shape'])
need(op['input']['shape']); need(op['output']['shape'])
sm = ServiceModel(base, 'secretsmanager')
OPS = ['CreateSecret','PutSecretValue','GetSecretValue','BatchGetSecretValue','UpdateSecret','UpdateSecretVersionStage','RotateSecret','CancelRotateSecret','DescribeSecret','ListSecretVersionIds','ListSecrets','DeleteSecret','RestoreSecret','GetRandomPassword','TagResource','UntagResource','GetResourcePolicy','PutResourcePolicy','DeleteResourcePolicy','ValidateResourcePolicy','ReplicateSecretToRegions','RemoveRegionsFromReplication','StopReplicationToReplica']
def text(doc):
    doc = re.sub(r'</p>|<br/?>|</li>', '\n\n', doc or '')
    doc = re.sub(r'<li>', '* ', doc)
    doc = re.sub(r'<[^>]+>', '', doc)
    doc = doc.replace('&gt;', '>').replace('&lt;', '<').replace('&amp;', '&').replace('&quot;', '"')
    paras = [re.sub(r'\s+', ' ', p).strip() for p in doc.split('\n\n')]
    return '\n\n'.join(p for p in paras if p)
shapes = {}
def add(shape):
    if shape.name in shapes: return
    d = {'type': shape.type_name}
    shapes[shape.name] = d
    m = shape.metadata
    for k in ('min', 'max'):
        if k in m: d[k] = m[k]
    if getattr(shape, 'enum', None): d['enum'] = list(shape.enum)
    if shape.type_name == 'structure':
        d['members'] = []
        for name, ms in shape.members.items():
            d['members'].append({'name': name, 'shape': ms.name, 'doc': text(ms.documentation), 'overview': get_shape_doc_overview(ms)})
            add(ms)
        if shape.required_members: d['required'] = list(shape.required_members)
    elif shape.type_name == 'list':
        d['member'] = shape.member.name; add(shape.member)
    elif shape.type_name == 'map':
        d['key'] = shape.key.name; d['value'] = shape.value.name; add(shape.key); add(shape.value)
ops = []
for name in OPS:
    om = sm.operation_model(name)
    add(om.input_shape)
    if om.output_shape is not None: add(om.output_shape)
    ops.append({'name': name, 'input': om.input_shape.name, 'output': om.output_shape.name if om.output_shape is not None else '', 'doc': text(om.documentation)})
json.dump({'operations': ops, 'shapes': shapes}, open(sys.argv[1], 'w'), indent=1, sort_keys=False)
