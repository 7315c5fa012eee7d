#!/usr/bin/python3
"""PyTorch peer of bench/trainer-throughput.ts: trains the same 784-512-10 FNN (ReLU, dropout 0.2,
Adam lr 1e-3, batch 128) on the same MNIST IDX images on the CPU, a bare training loop with no
validation, logging or protocol. Prints one JSON line per epoch ({"step", "epoch_seconds",
"images_per_second"}, training only) and a last summary line. --model cnn trains Keras's mnist_cnn instead (conv 32 3×3
ReLU, conv 64 3×3 ReLU, max pool 2, dropout 0.25, flatten, dense 128 ReLU, dropout 0.5, dense 10) on NCHW images.
Usage: torch_fnn_throughput.py IMAGES_IDX LABELS_IDX --train N --epochs E [--threads T] [--model fnn|cnn]"""
import argparse, gzip, json, struct, sys, time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    magic = struct.unpack('>I', raw[:4])[0]
    if magic == 2051:
        n, r, c = struct.unpack('>III', raw[4:16])
        return np.frombuffer(raw, np.uint8, n * r * c, 16).reshape(n, r * c)
    if magic == 2049:
        n = struct.unpack('>I', raw[4:8])[0]
        return np.frombuffer(raw, np.uint8, n, 8)
    raise SystemExit(f'{path}: bad IDX magic {magic}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('images')
    ap.add_argument('labels')
    ap.add_argument('--train', type=int, default=12000)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--units', type=int, default=512)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--model', choices=['fnn', 'cnn'], default='fnn')
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    # Same split as hyperzone: first N images, the last 20% held out (not used for throughput).
    n_train = int(a.train * (1 - 0.2))
    x = torch.from_numpy(read_idx(a.images)[:n_train].astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(a.labels)[:n_train].astype(np.int64))
    if a.model == 'cnn':
        x = x.reshape(-1, 1, 28, 28)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    else:
        model = nn.Sequential(nn.Linear(784, a.units), nn.ReLU(), nn.Dropout(0.2), nn.Linear(a.units, 10))
    for m in model.modules():  # Keras defaults, as examples/torch/train.py and the TF.js trainer
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(a.seed)
    per_epoch = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n_train, generator=g)
        model.train()
        for s in range(0, n_train, a.batch):
            idx = perm[s:s + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        float(loss)
        seconds = time.perf_counter() - t0
        per_epoch.append(n_train / seconds)
        print(json.dumps({'step': len(per_epoch), 'epoch_seconds': seconds, 'images_per_second': per_epoch[-1]}))
        sys.stdout.flush()
    steady = per_epoch[1:] if len(per_epoch) > 1 else per_epoch
    print(json.dumps({
        'images_per_second': sum(steady) / len(steady),
        'per_epoch': per_epoch,
        'threads': torch.get_num_threads(),
        'torch': torch.__version__,
        'train_images': n_train,
    }))


if __name__ == '__main__':
    main()
