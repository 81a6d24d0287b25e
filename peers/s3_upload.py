"""Uploads a local logdir to an S3 endpoint with boto3 (the AWS SDK), for the
object-store tests and benchmark.

    python peers/s3_upload.py ENDPOINT BUCKET PREFIX DIR [DIR2 PREFIX2 ...]

Creates BUCKET if needed, then puts every regular file under DIR at
PREFIX/<path relative to DIR> (FIFOs, sockets and dangling links cannot be
objects and are left out). Credentials: testing/testing, region us-east-1,
as moto expects. Prints the number of objects and bytes uploaded.
"""
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig


def client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )


def ensure_bucket(s3, bucket):
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    if bucket not in names:
        s3.create_bucket(Bucket=bucket)


def upload(s3, bucket, prefix, root):
    n = size = 0
    config = TransferConfig(max_concurrency=8)
    for d, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(d, name)
            if not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            key = f"{prefix}/{rel}" if prefix else rel
            s3.upload_file(path, bucket, key, Config=config)
            n += 1
            size += os.path.getsize(path)
    return n, size


def main():
    if len(sys.argv) < 5 or (len(sys.argv) - 3) % 2:
        sys.exit(__doc__)
    endpoint, bucket = sys.argv[1], sys.argv[2]
    s3 = client(endpoint)
    ensure_bucket(s3, bucket)
    pairs = sys.argv[3:]
    total = [0, 0]
    for prefix, root in zip(pairs[0::2], pairs[1::2]):
        n, size = upload(s3, bucket, prefix.strip("/"), root)
        total[0] += n
        total[1] += size
    print(f"uploaded {total[0]} objects, {total[1]} bytes")


if __name__ == "__main__":
    main()
