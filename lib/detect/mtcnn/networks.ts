/**
 * The three MTCNN networks (P-Net, R-Net, O-Net) on tfjs, with weights read from facenet's
 * `det1.npy`, `det2.npy`, `det3.npy`.
 *
 * Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional
 * Networks", IEEE Signal Processing Letters 23(10), 2016. Architecture and layer names as in
 * davidsandberg/facenet `src/align/detect_face.py` (PNet, RNet, ONet), whose conversion of the Caffe
 * models stores conv kernels as (h, w, in, out) and fully connected weights as (in, out), ready for
 * TensorFlow's NHWC layout, and PReLU slopes per channel.
 *
 * The Caffe-trained nets see the image transposed (x and y swapped, as MATLAB stores images): the
 * callers feed `[n, width, height, 3]` tensors whose element `[i, x, y, c]` is pixel (x, y), normalised
 * to (v - 127.5) * 0.0078125. The fully connected layers flatten in that (transposed) order, which is
 * the order facenet's conversion expects.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { FaceclusterError } from '../../errors.ts';
import type { Tf } from '../../runtime/tf.ts';
import { loadNpyWeights, type NdArray } from './npy.ts';

type Tensor = ReturnType<Tf['tensor']>;
type Tensor4D = ReturnType<Tf['tensor4d']>;
type Tensor2D = ReturnType<Tf['tensor2d']>;

/** One layer of a network, as a small program the forward pass interprets. */
type Layer =
  | { kind: 'conv'; name: string; kh: number; kw: number; inC: number; outC: number; padding: 'valid' | 'same' }
  | { kind: 'prelu'; name: string; channels: number }
  | { kind: 'pool'; size: number; stride: number; padding: 'valid' | 'same' }
  | { kind: 'fc'; name: string; inC: number; outC: number };

const conv = (name: string, kh: number, inC: number, outC: number, padding: 'valid' | 'same' = 'valid'): Layer => ({ kind: 'conv', name, kh, kw: kh, inC, outC, padding });
const prelu = (name: string, channels: number): Layer => ({ kind: 'prelu', name, channels });
const pool = (size: number, stride: number, padding: 'valid' | 'same'): Layer => ({ kind: 'pool', size, stride, padding });
const fc = (name: string, inC: number, outC: number): Layer => ({ kind: 'fc', name, inC, outC });

/** P-Net trunk (fully convolutional, 12x12 receptive field, stride 2) and its two 1x1 heads. */
const PNET = {
  file: 'det1.npy',
  trunk: [conv('conv1', 3, 3, 10), prelu('PReLU1', 10), pool(2, 2, 'same'), conv('conv2', 3, 10, 16), prelu('PReLU2', 16), conv('conv3', 3, 16, 32), prelu('PReLU3', 32)],
  heads: { prob: conv('conv4-1', 1, 32, 2, 'same'), box: conv('conv4-2', 1, 32, 4, 'same') },
};
/** R-Net on 24x24 crops. */
const RNET = {
  file: 'det2.npy',
  trunk: [
    conv('conv1', 3, 3, 28), prelu('prelu1', 28), pool(3, 2, 'same'),
    conv('conv2', 3, 28, 48), prelu('prelu2', 48), pool(3, 2, 'valid'),
    conv('conv3', 2, 48, 64), prelu('prelu3', 64),
    fc('conv4', 576, 128), prelu('prelu4', 128),
  ],
  heads: { prob: fc('conv5-1', 128, 2), box: fc('conv5-2', 128, 4) },
};
/** O-Net on 48x48 crops, with the 5-landmark head. */
const ONET = {
  file: 'det3.npy',
  trunk: [
    conv('conv1', 3, 3, 32), prelu('prelu1', 32), pool(3, 2, 'same'),
    conv('conv2', 3, 32, 64), prelu('prelu2', 64), pool(3, 2, 'valid'),
    conv('conv3', 3, 64, 64), prelu('prelu3', 64), pool(2, 2, 'same'),
    conv('conv4', 2, 64, 128), prelu('prelu4', 128),
    fc('conv5', 1152, 256), prelu('prelu5', 256),
  ],
  heads: { prob: fc('conv6-1', 256, 2), box: fc('conv6-2', 256, 4), points: fc('conv6-3', 256, 10) },
};

type NetSpec = { file: string; trunk: Layer[]; heads: Record<string, Layer> };

/** The weight files MTCNN needs in its weights folder. */
export const MTCNN_WEIGHT_FILES = [PNET.file, RNET.file, ONET.file] as const;

/** A loaded network: its weight tensors by `layer/param`. */
class Net {
  constructor(private readonly tf: Tf, private readonly spec: NetSpec, private readonly weights: Map<string, Tensor>) {}

  /** Runs the network; returns the named heads (tensors the caller disposes), computed in one tidy. */
  run(input: Tensor4D): Record<string, Tensor> {
    const { tf, spec, weights } = this;
    return tf.tidy(() => {
      let x: Tensor = input;
      for (const layer of spec.trunk) x = apply(tf, layer, x, weights);
      const out: Record<string, Tensor> = {};
      for (const [head, layer] of Object.entries(spec.heads)) {
        const y = apply(tf, layer, x, weights);
        out[head] = head === 'prob' ? tf.softmax(y, -1) : y;
      }
      return out;
    });
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    this.weights.clear();
  }
}

function apply(tf: Tf, layer: Layer, x: Tensor, w: Map<string, Tensor>): Tensor {
  switch (layer.kind) {
    case 'conv':
      return tf.add(tf.conv2d(x as Tensor4D, w.get(`${layer.name}/weights`) as ReturnType<Tf['tensor4d']>, 1, layer.padding), w.get(`${layer.name}/biases`)!);
    case 'prelu':
      return tf.prelu(x, w.get(`${layer.name}/alpha`)!);
    case 'pool':
      return tf.maxPool(x as Tensor4D, layer.size, layer.stride, layer.padding);
    case 'fc': {
      const flat = x.rank === 2 ? (x as Tensor2D) : tf.reshape(x, [x.shape[0], -1]) as Tensor2D;
      return tf.add(tf.matMul(flat, w.get(`${layer.name}/weights`) as Tensor2D), w.get(`${layer.name}/biases`)!);
    }
  }
}

/** Expected shape of each parameter of each layer (checked at load, so a wrong file fails clearly). */
function expectedParams(layer: Layer): Record<string, number[]> {
  switch (layer.kind) {
    case 'conv':
      return { weights: [layer.kh, layer.kw, layer.inC, layer.outC], biases: [layer.outC] };
    case 'prelu':
      return { alpha: [layer.channels] };
    case 'fc':
      return { weights: [layer.inC, layer.outC], biases: [layer.outC] };
    case 'pool':
      return {};
  }
}

function loadNet(tf: Tf, dir: string, spec: NetSpec): Net {
  const path = join(dir, spec.file);
  const raw = loadNpyWeights(path);
  const weights = new Map<string, Tensor>();
  try {
    for (const layer of [...spec.trunk, ...Object.values(spec.heads)]) {
      if (layer.kind === 'pool') continue;
      for (const [param, shape] of Object.entries(expectedParams(layer))) {
        const arr: NdArray | undefined = raw[layer.name]?.[param];
        if (arr === undefined) throw new FaceclusterError('createMtcnn', `${path}: layer ${layer.name} has no ${param} (not facenet's MTCNN weights?).`);
        if (arr.dtype !== 'f4' || arr.shape.join(',') !== shape.join(',')) {
          throw new FaceclusterError('createMtcnn', `${path}: ${layer.name}/${param} must be float32 of shape [${shape}], got ${arr.dtype} of shape [${arr.shape}].`);
        }
        weights.set(`${layer.name}/${param}`, tf.tensor(arr.data as Float32Array, shape, 'float32'));
      }
    }
  } catch (e) {
    for (const t of weights.values()) t.dispose();
    throw e;
  }
  return new Net(tf, spec, weights);
}

/** The three loaded networks. */
export interface MtcnnNets {
  /** P-Net on a `[1, width, height, 3]` (transposed) image: `prob` `[1, w', h', 2]`, `box` `[1, w', h', 4]`. */
  pnet(input: Tensor4D): { prob: Tensor; box: Tensor };
  /** R-Net on `[n, 24, 24, 3]` transposed crops: `prob` `[n, 2]`, `box` `[n, 4]`. */
  rnet(input: Tensor4D): { prob: Tensor; box: Tensor };
  /** O-Net on `[n, 48, 48, 3]` transposed crops: `prob` `[n, 2]`, `box` `[n, 4]`, `points` `[n, 10]` (5 x then 5 y). */
  onet(input: Tensor4D): { prob: Tensor; box: Tensor; points: Tensor };
  dispose(): void;
}

/**
 * Loads `det1.npy`, `det2.npy`, `det3.npy` from `dir` into tfjs tensors.
 * @throws FaceclusterError naming the missing file (and how to get it) or the malformed layer.
 */
export function loadMtcnnNets(tf: Tf, dir: string): MtcnnNets {
  const missing = MTCNN_WEIGHT_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new FaceclusterError(
      'createMtcnn',
      `weightsDir must be a folder holding ${MTCNN_WEIGHT_FILES.join(', ')}, got ${JSON.stringify(dir)} (missing ${missing.join(', ')}); ` +
        'run `npm run models:mtcnn` (or set FACECLUSTER_MTCNN_WEIGHTS / --mtcnn-weights).',
      'weightsDir',
    );
  }
  const loaded: Net[] = [];
  try {
    for (const spec of [PNET, RNET, ONET]) loaded.push(loadNet(tf, dir, spec));
  } catch (e) {
    for (const n of loaded) n.dispose();
    throw e;
  }
  const [p, r, o] = loaded;
  return {
    pnet: (input) => p.run(input) as { prob: Tensor; box: Tensor },
    rnet: (input) => r.run(input) as { prob: Tensor; box: Tensor },
    onet: (input) => o.run(input) as { prob: Tensor; box: Tensor; points: Tensor },
    dispose: () => loaded.forEach((n) => n.dispose()),
  };
}
