# A stub Secrets Manager endpoint that answers with the canned responses the
# goldens of this folder were captured from (see ../capture.sh); cannedAPI in
# aws_test.go returns the same values.
import http.server, json
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n=int(self.headers['Content-Length']); body=self.rfile.read(n)
        target=self.headers['X-Amz-Target']
        pass
        if 'RotateSecret' in target:
            self.send_response(400); self.send_header('Content-Type','application/x-amz-json-1.1'); self.end_headers()
            self.wfile.write(json.dumps({'__type':'ResourceNotFoundException','message':"Secrets Manager can't find the specified secret."}).encode()); return
        self.send_response(200); self.send_header('Content-Type','application/x-amz-json-1.1'); self.end_headers()
        if 'DescribeSecret' in target:
            r={'Name':'n','ARN':'arn:aws:secretsmanager:us-east-1:000000000000:secret:n-abcdef','CreatedDate':1768473000.123,'LastChangedDate':1768473000.0,'LastAccessedDate':1768435200,'Tags':[],'VersionIdsToStages':{'a':['AWSCURRENT']},'RotationEnabled':False,'Type':'x', 'Description':'caf\u00e9 </>'}
        elif 'GetSecretValue' in target:
            r={'Name':'n','ARN':'a','SecretBinary':'aGVsbG8=','CreatedDate':1768473000.5,'VersionStages':['AWSCURRENT'],'VersionId':'v'}
        else: r={}
        self.wfile.write(json.dumps(r).encode())
    def log_message(self,*a): pass
http.server.HTTPServer(('127.0.0.1',8911),H).serve_forever()
