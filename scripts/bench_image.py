#!/usr/bin/env python3
"""Deterministic benchmark images for scripts/bench.sh (nothing here is committed output: images go to a cache
directory outside the repository).

    bench_image.py big DIR       # 1.18 GiB uncompressed over 9 layer blobs (gzip and zstd), 2 platforms + an index
    bench_image.py scale DIR N   # N small blobs: N/5 images (manifest, config, a gzip, a zstd and a tar layer each)

Same script, same gzip and zstd binaries -> the same bytes (fixed seeds, mtimes, owners; `gzip -n`).
Only the Python standard library and the gzip and zstd command-line tools are used.
"""
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile

MTIME = 1700000000
MiB = 1 << 20
POOL = 8 * MiB

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
    "none": "application/vnd.oci.image.layer.v1.tar",
}
COMPRESS = {"gzip": ["gzip", "-n", "-6", "-c"], "zstd": ["zstd", "-q", "-3", "-c"]}


def canon(v):
    return json.dumps(v, separators=(",", ":"), sort_keys=True).encode()


class Layout:
    def __init__(self, root):
        self.root = root
        self.blobs = os.path.join(root, "blobs", "sha256")
        os.makedirs(self.blobs, exist_ok=True)

    def put(self, data, media_type, **extra):
        d = hashlib.sha256(data).hexdigest()
        p = os.path.join(self.blobs, d)
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(data)
        return dict(mediaType=media_type, digest="sha256:" + d, size=len(data), **extra)

    def put_file(self, path, media_type):
        """Move a finished file into the blob store; returns its descriptor."""
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(4 * MiB), b""):
                h.update(chunk)
        d = h.hexdigest()
        size = os.path.getsize(path)
        os.replace(path, os.path.join(self.blobs, d))
        return dict(mediaType=media_type, digest="sha256:" + d, size=size)

    def finish(self, manifests):
        with open(os.path.join(self.root, "oci-layout"), "wb") as f:
            f.write(canon({"imageLayoutVersion": "1.0.0"}))
        with open(os.path.join(self.root, "index.json"), "wb") as f:
            f.write(canon({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}))

    def image(self, layers, diff_ids, platform, created_by):
        config = {
            "created": "2024-01-01T00:00:00Z",
            "architecture": platform["architecture"],
            "os": platform["os"],
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                       "Cmd": ["/bin/sh"], "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created": "2024-01-01T00:00:00Z", "created_by": c} for c in created_by],
        }
        if "variant" in platform:
            config["variant"] = platform["variant"]
        cdesc = self.put(canon(config), MT_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc, "layers": layers}
        return self.put(canon(manifest), MT_MANIFEST, platform=platform)


class HashPipe:
    """A write-only file for tarfile: hashes the uncompressed stream (the DiffID) and feeds the compressor."""

    def __init__(self, out):
        self.out = out
        self.h = hashlib.sha256()
        self.n = 0

    def write(self, b):
        self.h.update(b)
        self.n += len(b)
        self.out.write(b)
        return len(b)


def write_layer(lay, tmp, compression, fill):
    """Run fill(tarfile) into a compressed blob; returns (descriptor, diff_id, uncompressed bytes)."""
    path = os.path.join(tmp, "layer.tmp")
    with open(path, "wb") as out:
        if compression == "none":
            proc, sink = None, out
        else:
            proc = subprocess.Popen(COMPRESS[compression], stdin=subprocess.PIPE, stdout=out, bufsize=4 * MiB)
            sink = proc.stdin
        pipe = HashPipe(sink)
        with tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT, bufsize=1 * MiB) as t:
            fill(t)
        if proc:
            proc.stdin.close()
            if proc.wait() != 0:
                sys.exit(f"{COMPRESS[compression][0]} failed")
    return lay.put_file(path, MT_LAYER[compression]), "sha256:" + pipe.h.hexdigest(), pipe.n


def info(name, kind=tarfile.REGTYPE, size=0, mode=0o644, link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = size
    ti.mode = mode
    ti.mtime = MTIME
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.linkname = link
    return ti


class Pools:
    """8 MiB each of text-like (about 3:1 with gzip -6), binary-like (about 3:2) and random bytes."""

    def __init__(self, rng):
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 11)))
                 for _ in range(6000)]
        text = bytearray()
        while len(text) < POOL:
            line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14)))
            text += line.encode() + b"\n"
        self.text = bytes(text[:POOL])
        # Machine-code-like: a skewed byte distribution (zeros, small values, common opcodes), little repetition.
        weights = [1.0 / (1 + (i if i < 128 else 256 - i)) ** 1.1 for i in range(256)]
        weights[0] *= 8
        self.binary = bytes(rng.choices(range(256), weights=weights, k=POOL))
        self.noise = rng.randbytes(POOL)

    def data(self, rng, size):
        r = rng.random()
        pool = self.text if r < 0.45 else self.binary if r < 0.85 else self.noise
        off = rng.randrange(POOL)
        out = io.BytesIO()
        left = size
        while left:
            chunk = pool[off: off + left]
            out.write(chunk)
            left -= len(chunk)
            off = 0
        out.seek(0)
        return out


def tree_layer(rng, pools, prefix, target, whiteouts=()):
    """A layer of about `target` bytes of files: a realistic tree (directories, mostly small files, some large
    ones, symbolic and hard links), plus whiteouts for paths of a lower layer. Returns (fill, files)."""
    files = []
    total = 0
    n = 0
    dirs = [f"{prefix}/{a}/{b}" for a in ("bin", "lib", "share", "etc", "opt") for b in range(12)]
    while total < target:
        size = int(rng.lognormvariate(8.6, 2.0))
        size = max(0, min(size, 48 * MiB, target - total))
        d = dirs[rng.randrange(len(dirs))]
        files.append((f"{d}/f{n:06d}.{rng.choice(['so', 'py', 'txt', 'bin', 'json', 'h'])}", size))
        total += size
        n += 1
    files.sort()
    seed = rng.random()

    def fill(t):
        r = random.Random(seed)
        seen = set()
        entries = []
        for path, size in files:
            parts = path.split("/")
            for i in range(1, len(parts)):
                d = "/".join(parts[:i])
                if d not in seen:
                    seen.add(d)
                    entries.append((d, "dir", 0))
            entries.append((path, "file", size))
        for w in whiteouts:
            parent, base = w.rsplit("/", 1)
            entries.append((f"{parent}/.wh.{base}", "wh", 0))
            parts = parent.split("/")
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d not in seen:
                    seen.add(d)
                    entries.append((d, "dir", 0))
        entries.sort(key=lambda e: e[0])
        last_file = None
        for k, (path, kind, size) in enumerate(entries):
            if kind == "dir":
                t.addfile(info(path, tarfile.DIRTYPE, mode=0o755))
            elif kind == "wh":
                t.addfile(info(path))
            else:
                t.addfile(info(path, size=size, mode=0o755 if path.endswith(".so") else 0o644),
                          pools.data(r, size))
                if k % 97 == 0:
                    t.addfile(info(path + ".link", tarfile.SYMTYPE, mode=0o777, link=path.rsplit("/", 1)[1]))
                if k % 389 == 0 and last_file:
                    t.addfile(info(path + ".hard", tarfile.LNKTYPE, link=last_file))
                last_file = path

    return fill, [p for p, _ in files]


def big(root):
    rng = random.Random(20250101)
    pools = Pools(rng)
    lay = Layout(root)
    tmp = os.path.join(root, "tmp")
    os.makedirs(tmp, exist_ok=True)
    # (platform key, MiB, compression); the last layer is shared by both platforms.
    # amd64 is all gzip (umoci 0.4 reads no zstd layers, and it is the peer that checks DiffIDs), arm64 zstd.
    plan = {
        "amd64": [("usr", 300, "gzip"), ("app", 180, "gzip"), ("py", 130, "gzip"), ("cfg", 100, "gzip"),
                  ("gen", 60, "gzip")],
        "arm64": [("usr", 160, "zstd"), ("app", 80, "zstd"), ("py", 40, "zstd")],
    }
    shared = ("data", 140, "gzip")
    shared_layer = None
    manifests = []
    total = 0
    for arch, layers in plan.items():
        descs, diff_ids, history = [], [], []
        base_files = []
        for i, (name, mib, comp) in enumerate(layers):
            # Upper layers delete a few files of the base layer (whiteouts), as package updates do.
            # Each upper layer deletes different files.
            step = max(1, len(base_files) // 5)
            wh = sorted({base_files[(j * step + i) % len(base_files)] for j in range(5)}) if i else []
            fill, files = tree_layer(rng, pools, f"{name}-{arch}", mib * MiB, wh)
            if i == 0:
                base_files = files
            d, diff, n = write_layer(lay, tmp, comp, fill)
            total += n
            descs.append(d)
            diff_ids.append(diff)
            history.append(f"RUN build {name} ({arch}, {comp})")
            print(f"  {arch} layer {i}: {n >> 20} MiB uncompressed, {d['size'] >> 20} MiB {comp}", file=sys.stderr)
        if shared_layer is None:
            fill, _ = tree_layer(rng, pools, shared[0], shared[1] * MiB)
            shared_layer = write_layer(lay, tmp, shared[2], fill)
            total += shared_layer[2]
            print(f"  shared layer: {shared_layer[2] >> 20} MiB uncompressed, "
                  f"{shared_layer[0]['size'] >> 20} MiB {shared[2]}", file=sys.stderr)
        descs.append(shared_layer[0])
        diff_ids.append(shared_layer[1])
        history.append("COPY data /data")
        platform = {"architecture": arch, "os": "linux"}
        if arch == "arm64":
            platform["variant"] = "v8"
        manifests.append(lay.image(descs, diff_ids, platform, history))
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}
    idesc = lay.put(canon(index), MT_INDEX, annotations={"org.opencontainers.image.ref.name": "latest"})
    # The multi-platform index, and each platform's manifest under its own tag (umoci unpacks one manifest).
    top = [idesc]
    for m in manifests:
        top.append(dict(m, annotations={"org.opencontainers.image.ref.name": m["platform"]["architecture"]}))
    lay.finish(top)
    shutil.rmtree(tmp)
    print(f"  {total} bytes uncompressed ({total / (1 << 30):.2f} GiB)", file=sys.stderr)


def scale(root, n_blobs):
    """n_blobs blobs: n_blobs/5 images of a manifest, a config and three tiny layers (gzip, zstd, tar)."""
    lay = Layout(root)
    tmp = os.path.join(root, "tmp")
    os.makedirs(tmp, exist_ok=True)
    images = n_blobs // 5
    pending = []  # zstd layers are compressed in one batch
    tars = []
    for i in range(images):
        per = []
        for j, comp in enumerate(("gzip", "zstd", "none")):
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
                t.addfile(info(f"app{i}", tarfile.DIRTYPE, mode=0o755))
                for k in range(3):
                    body = f"image {i} layer {j} file {k}\n".encode() * (20 + k * 30)
                    t.addfile(info(f"app{i}/l{j}f{k}.txt", size=len(body)), io.BytesIO(body))
            raw = buf.getvalue()
            per.append((comp, raw))
        tars.append(per)
    for i, per in enumerate(tars):
        for j, (comp, raw) in enumerate(per):
            if comp == "zstd":
                p = os.path.join(tmp, f"{i}.{j}.tar")
                with open(p, "wb") as f:
                    f.write(raw)
                pending.append(p)
    # One zstd process for all of them (file order is irrelevant to the output bytes).
    for k in range(0, len(pending), 2000):
        subprocess.run(["zstd", "-q", "-3", "--rm", "-f", *pending[k:k + 2000]], check=True)
    import gzip
    manifests = []
    for i, per in enumerate(tars):
        descs, diffs = [], []
        for j, (comp, raw) in enumerate(per):
            if comp == "gzip":
                data = gzip.compress(raw, compresslevel=6, mtime=0)
            elif comp == "zstd":
                p = os.path.join(tmp, f"{i}.{j}.tar.zst")
                with open(p, "rb") as f:
                    data = f.read()
                os.remove(p)
            else:
                data = raw
            descs.append(lay.put(data, MT_LAYER[comp]))
            diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
        m = lay.image(descs, diffs, {"architecture": "amd64", "os": "linux"},
                      [f"layer {j}" for j in range(3)])
        m["annotations"] = {"org.opencontainers.image.ref.name": f"img-{i:05d}"}
        manifests.append(m)
    lay.finish(manifests)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "big":
        big(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "scale":
        scale(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
