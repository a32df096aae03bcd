"""Writes requests signed by botocore, the signer of the AWS CLI and boto3, as
raw HTTP for verify_test.go, so that the tests check botocore's algorithm
without needing Python. Regenerate with: python3 generate.py
"""

import datetime
import json

import botocore.auth
from botocore.auth import SigV4Auth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# Every request is signed at this instant; the tests set their clock to it.
botocore.auth.get_current_datetime = lambda remove_tzinfo=True: datetime.datetime(2026, 11, 23, 1, 0, 0)

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def write(name, url, body, token=None, extra=None, region="us-east-1"):
    headers = {
        "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        "Content-Type": "application/x-amz-json-1.1",
        "User-Agent": "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux",
    }
    headers.update(extra or {})
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(Credentials(KEY_ID, SECRET, token), "cognito-idp", region).add_auth(req)
    path = url.split("/", 3)[3]
    lines = [f"POST /{path} HTTP/1.1", f"Host: {_host_from_url(url)}"]
    lines += [f"{k}: {v}" for k, v in req.headers.items()]
    # urllib3 adds Content-Length after signing, so it is never signed.
    lines.append(f"Content-Length: {len(body)}")
    with open(name, "wb") as f:
        f.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


body = json.dumps({"MaxResults": 1}).encode()
write("list-user-pools.http", "http://127.0.0.1:9229/", body)
write("session-token.http", "http://127.0.0.1:9229/", body, token="FQoGZXIvYXdzEXAMPLETOKEN")
write("eu-west-1.http", "https://cognito-idp.eu-west-1.amazonaws.com/", body, region="eu-west-1")
write("query.http", "http://localhost:9229/?b=2&a=1", body)

# botocore never signs User-Agent or X-Amzn-Trace-Id; other signers might.
botocore.auth.SIGNED_HEADERS_BLACKLIST = []
write("signed-user-agent.http", "http://127.0.0.1:9229/", body, extra={"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793"})
