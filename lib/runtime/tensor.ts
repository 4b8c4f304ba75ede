/** Conversions between {@link RgbImage} and tfjs tensors. */
import type { RgbImage } from '../types.ts';
import type { Tf } from './tf.ts';

/** An `[height, width, 3]` int32 tensor of the image (caller disposes it). */
export function rgbToTensor(tf: Tf, image: RgbImage): import('@tensorflow/tfjs').Tensor3D {
  return tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32');
}
