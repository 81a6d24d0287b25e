"""Puts, uploads and deletes objects in a local S3, GCS or Azure emulator
with each cloud's own client, for the object-store tests and benchmark.

    python peers/blob_store.py STORE ENDPOINT BUCKET upload PREFIX DIR [PREFIX DIR ...]
    python peers/blob_store.py STORE ENDPOINT BUCKET put KEY FILE
    python peers/blob_store.py STORE ENDPOINT BUCKET delete KEY
    python peers/blob_store.py STORE ENDPOINT BUCKET bucket [--public]

STORE is s3 (boto3, the AWS SDK; moto's credentials testing/testing),
gs (fake-gcs-server's JSON API: the emulator's own upload path, since it
refuses object_store's and has no SDK here) or az (azure-storage-blob, the
Azure SDK, with Azurite's development account). Every command makes BUCKET
first if it is missing; `bucket --public` makes an Azure container whose
blobs anyone may read (for a benchmark's plain HTTP client; S3 on moto and
GCS on fake-gcs-server serve unsigned reads anyway). `upload` puts every regular file under DIR at
PREFIX/<path relative to DIR> (FIFOs, sockets and dangling links cannot be
objects and are left out) and prints the number of objects and bytes.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

# Azurite's development account (published in Azure's documentation).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"
               "K1SZFPTOtr/KBHBeksoGMGw==")


def azure_connection_string(endpoint):
    return ("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s/%s;"
            % (AZURITE_ACCOUNT, AZURITE_KEY, endpoint, AZURITE_ACCOUNT))


class S3:
    def __init__(self, endpoint, bucket):
        import boto3
        self.c = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing",
                              aws_secret_access_key="testing", region_name="us-east-1")
        self.bucket = bucket
        if bucket not in [b["Name"] for b in self.c.list_buckets().get("Buckets", [])]:
            self.c.create_bucket(Bucket=bucket)

    def put(self, key, path):
        self.c.upload_file(path, self.bucket, key)

    def delete(self, key):
        self.c.delete_object(Bucket=self.bucket, Key=key)


class Gcs:
    def __init__(self, endpoint, bucket):
        self.endpoint, self.bucket = endpoint, bucket
        try:
            self.call("GET", "/storage/v1/b/%s" % urllib.parse.quote(bucket, safe=""))
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise
            self.call("POST", "/storage/v1/b?project=test", json.dumps({"name": bucket}).encode(),
                      "application/json")

    def call(self, method, path, data=None, content_type=None):
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        if content_type:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read()

    def put(self, key, path):
        with open(path, "rb") as f:
            data = f.read()
        self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=%s"
                  % (urllib.parse.quote(self.bucket, safe=""), urllib.parse.quote(key, safe="")),
                  data, "application/octet-stream")

    def delete(self, key):
        self.call("DELETE", "/storage/v1/b/%s/o/%s" % (urllib.parse.quote(self.bucket, safe=""),
                                                       urllib.parse.quote(key, safe="")))


class Azure:
    def __init__(self, endpoint, container, public=False):
        from azure.core.exceptions import ResourceExistsError
        from azure.storage.blob import BlobServiceClient
        service = BlobServiceClient.from_connection_string(azure_connection_string(endpoint))
        self.c = service.get_container_client(container)
        try:
            self.c.create_container(public_access="blob" if public else None)
        except ResourceExistsError:
            if public:
                self.c.set_container_access_policy({}, public_access="blob")

    def put(self, key, path):
        with open(path, "rb") as f:
            self.c.upload_blob(key, f, overwrite=True)

    def delete(self, key):
        self.c.delete_blob(key)


def upload(store, prefix, root):
    n = size = 0
    for d, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(d, name)
            if not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            store.put("%s/%s" % (prefix, rel) if prefix else rel, path)
            n += 1
            size += os.path.getsize(path)
    return n, size


def main():
    a = sys.argv[1:]
    if len(a) < 4 or a[0] not in ("s3", "gs", "az"):
        sys.exit(__doc__)
    cmd, rest = a[3], a[4:]
    public = cmd == "bucket" and rest == ["--public"]
    if public and a[0] == "az":
        Azure(a[1].rstrip("/"), a[2], public=True)
        return
    store = {"s3": S3, "gs": Gcs, "az": Azure}[a[0]](a[1].rstrip("/"), a[2])
    if cmd == "upload" and rest and len(rest) % 2 == 0:
        total = [0, 0]
        for prefix, root in zip(rest[0::2], rest[1::2]):
            n, size = upload(store, prefix.strip("/"), root)
            total[0] += n
            total[1] += size
        print("uploaded %d objects, %d bytes" % tuple(total))
    elif cmd == "put" and len(rest) == 2:
        store.put(rest[0], rest[1])
    elif cmd == "delete" and len(rest) == 1:
        store.delete(rest[0])
    elif cmd == "bucket" and (not rest or public):
        pass
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
