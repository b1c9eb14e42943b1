#!/usr/bin/env python3
"""Push N small repositories into a local registry, for the catalogue benchmark (scripts/bench.sh).

    scripts/push_catalog.py HOST:PORT N [PREFIX]

Repository PREFIX/rNNNN (default prefix `bench`; four digits, five from N = 10,001 on) gets one image tagged
`latest`: a config of its own, a base layer every repository shares (uploaded once, then mounted from the first
repository) and a layer of its own (a tiny gzip tar naming the repository; the config labels it
`org.example.repository`, so that the images validate without findings). Deterministic: the same N gives the
same digests. Plain HTTP, no auth (the registry scripts/registry.sh starts on 127.0.0.1).

The first repository is pushed alone (it holds the shared layer the others mount), the rest by PUSH_JOBS
connections at once (default 4): about 9 requests per repository, 10,000 repositories in a few minutes.
"""

import gzip
import hashlib
import http.client
import io
import json
import os
import sys
import tarfile
import threading
from concurrent.futures import ThreadPoolExecutor


def tar_gz(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    plain = raw.getvalue()
    return plain, gzip.compress(plain, mtime=0)


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


class Registry:
    def __init__(self, authority):
        host, port = authority.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def blob(self, repo, data, mount_from=None):
        digest = sha(data)
        st, _, _ = self.call("HEAD", f"/v2/{repo}/blobs/{digest}")
        if st == 200:
            return digest
        if mount_from:
            st, _, _ = self.call("POST", f"/v2/{repo}/blobs/uploads/?mount={digest}&from={mount_from}")
            if st == 201:
                return digest
        st, h, body = self.call("POST", f"/v2/{repo}/blobs/uploads/")
        if st != 202:
            sys.exit(f"push_catalog: POST upload in {repo}: {st} {body[:200]!r}")
        loc = h["location"]
        if loc.startswith("http"):
            loc = "/" + loc.split("/", 3)[3]
        sep = "&" if "?" in loc else "?"
        st, _, body = self.call(
            "PUT",
            f"{loc}{sep}digest={digest}",
            body=data,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))},
        )
        if st != 201:
            sys.exit(f"push_catalog: PUT blob in {repo}: {st} {body[:200]!r}")
        return digest

    def manifest(self, repo, tag, data):
        st, _, body = self.call(
            "PUT",
            f"/v2/{repo}/manifests/{tag}",
            body=data,
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )
        if st != 201:
            sys.exit(f"push_catalog: PUT manifest {repo}:{tag}: {st} {body[:200]!r}")


def push_one(reg, prefix, k, width, base_plain, base_gz):
    repo = f"{prefix}/r{k:0{width}d}"
    first = f"{prefix}/r{0:0{width}d}"
    own_plain, own_gz = tar_gz([("app/name", repo.encode() + b"\n")])
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Labels": {"org.example.repository": repo}},
            "rootfs": {"type": "layers", "diff_ids": [sha(base_plain), sha(own_plain)]},
        },
        sort_keys=True,
    ).encode()
    layers = []
    for plain, gz in ((base_plain, base_gz), (own_plain, own_gz)):
        d = reg.blob(repo, gz, mount_from=first if k > 0 and plain is base_plain else None)
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": len(gz)})
    cd = reg.blob(repo, config)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
            "layers": layers,
        },
        sort_keys=True,
    ).encode()
    reg.manifest(repo, "latest", manifest)


def main():
    authority, n = sys.argv[1], int(sys.argv[2])
    prefix = sys.argv[3] if len(sys.argv) > 3 else "bench"
    width = max(4, len(str(n - 1)))
    jobs = max(1, int(os.environ.get("PUSH_JOBS", "4")))
    base_plain, base_gz = tar_gz([(f"etc/file{i}", b"base %d\n" % i) for i in range(20)])
    if n > 0:
        push_one(Registry(authority), prefix, 0, width, base_plain, base_gz)
    local = threading.local()

    def job(k):
        # One connection per thread: http.client connections are not shared.
        if not hasattr(local, "reg"):
            local.reg = Registry(authority)
        push_one(local.reg, prefix, k, width, base_plain, base_gz)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # list() so that an exception in a job (sys.exit) reaches here.
        list(pool.map(job, range(1, n)))
    print(f"pushed {n} repositories under {prefix}/", file=sys.stderr)


if __name__ == "__main__":
    main()
