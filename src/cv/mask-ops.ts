/** Mask operations on single-channel FloatImages, through OpenCV. */
import type { Box } from "../image/geometry.js";
import { createImage, type FloatImage } from "../image/types.js";
import { type CV, withMats } from "./opencv.js";

function toMat8(cv: CV, mask: FloatImage, threshold: number) {
  const m = new cv.Mat(mask.height, mask.width, cv.CV_8UC1);
  const d = m.data as Uint8Array;
  for (let i = 0; i < d.length; i++) d[i] = mask.data[i] > threshold ? 255 : 0;
  return m;
}

function fromMat8(mat: { data: Uint8Array; rows: number; cols: number }): FloatImage {
  const out = createImage(mat.cols, mat.rows, 1);
  const d = mat.data; // OpenCV.js builds a new view on every `.data` read: once, not per pixel
  for (let i = 0; i < out.data.length; i++) out.data[i] = d[i] / 255;
  return out;
}

/**
 * The connected components of the `width` × `height` pixels where `inside(p)` holds, labelled 1 to count − 1 (0 is
 * everything else).
 */
export function labelComponents(
  cv: CV,
  width: number,
  height: number,
  inside: (p: number) => unknown,
  connectivity: 4 | 8 = 8,
): { label: Int32Array; count: number } {
  return withMats((t) => {
    const m = t(new cv.Mat(height, width, cv.CV_8UC1));
    const d = m.data as Uint8Array;
    for (let p = 0; p < d.length; p++) d[p] = inside(p) ? 255 : 0;
    const labels = t(new cv.Mat());
    const count: number = cv.connectedComponents(m, labels, connectivity, cv.CV_32S);
    return { label: new Int32Array(labels.data32S as Int32Array), count };
  });
}

/**
 * The components where `inside(p)` holds (8-connected), labelled as `labelComponents` does, and each one's size in
 * pixels: Infinity for one that reaches a pixel where `runsOut(p)` holds (what could close it is not all round it;
 * by default nowhere).
 */
export function componentSizes(
  cv: CV,
  width: number,
  height: number,
  inside: (p: number) => unknown,
  runsOut: (p: number) => boolean = () => false,
): { label: Int32Array; count: number; size: Float64Array } {
  const { label, count } = labelComponents(cv, width, height, inside);
  const size = new Float64Array(count);
  for (let p = 0; p < label.length; p++) size[label[p]] += runsOut(p) ? Infinity : 1;
  return { label, count, size };
}

/** Whether pixel `p` of a `width` × `height` image lies on its border. */
export function onImageBorder(width: number, height: number): (p: number) => boolean {
  return (p) => p < width || p >= width * (height - 1) || p % width === 0 || p % width === width - 1;
}

/** The paper's soft segmentation: threshold → erode (3×3 ellipse) ×e → dilate (5×5 ellipse) ×d → Gaussian blur k×k. */
export function softenMask(
  cv: CV,
  mask: FloatImage,
  opts: { threshold: number; erode: number; dilate: number; blur: number },
): FloatImage {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, opts.threshold));
    const k3 = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(3, 3)));
    const k5 = t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(5, 5)));
    const anchor = new cv.Point(-1, -1);
    if (opts.erode > 0)
      cv.erode(m, m, k3, anchor, opts.erode, cv.BORDER_CONSTANT, cv.morphologyDefaultBorderValue());
    if (opts.dilate > 0)
      cv.dilate(m, m, k5, anchor, opts.dilate, cv.BORDER_CONSTANT, cv.morphologyDefaultBorderValue());
    const f = t(new cv.Mat());
    m.convertTo(f, cv.CV_32F, 1 / 255);
    const k = opts.blur % 2 === 1 ? opts.blur : opts.blur + 1;
    if (k > 1) cv.GaussianBlur(f, f, new cv.Size(k, k), 0, 0, cv.BORDER_REPLICATE);
    return { width: mask.width, height: mask.height, channels: 1, data: new Float32Array(f.data32F) };
  });
}

/** Morphological opening then closing of a binary mask (removes specks, fills pinholes). */
export function openClose(cv: CV, mask: FloatImage, radius: number): FloatImage {
  return byDisc(cv, mask, radius, (m, k) => {
    cv.morphologyEx(m, m, cv.MORPH_OPEN, k);
    cv.morphologyEx(m, m, cv.MORPH_CLOSE, k);
  });
}

/** An OpenCV matrix: untyped, as the module is (cv/opencv). */
type Mat = CV;

/** `mask > 0.5` as an 8-bit image, changed in place by `apply` with an ellipse of the given radius, back as 0/1. */
function byDisc(cv: CV, mask: FloatImage, radius: number, apply: (m: Mat, disc: Mat) => void): FloatImage {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, 0.5));
    apply(m, t(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * radius + 1, 2 * radius + 1))));
    return fromMat8(m);
  });
}

/** The bounding box of each component of `mask > threshold` (8-connected), in label order. */
export function componentBoxes(cv: CV, mask: FloatImage, threshold: number): Box[] {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, threshold));
    const [labels, stats, centroids] = [t(new cv.Mat()), t(new cv.Mat()), t(new cv.Mat())];
    const n: number = cv.connectedComponentsWithStats(m, labels, stats, centroids, 8, cv.CV_32S);
    const s = stats.data32S as Int32Array;
    const cols = stats.cols as number;
    const boxes: Box[] = [];
    for (let i = 1; i < n; i++) {
      const at = (stat: number) => s[i * cols + stat];
      const [x, y] = [at(cv.CC_STAT_LEFT), at(cv.CC_STAT_TOP)];
      boxes.push({ x, y, width: at(cv.CC_STAT_WIDTH), height: at(cv.CC_STAT_HEIGHT) });
    }
    return boxes;
  });
}

export interface Components {
  /** 1 inside the kept components, 0 elsewhere. */
  mask: FloatImage;
  /** Bounding box of the kept components, or null when nothing is above the threshold. */
  box: { x: number; y: number; width: number; height: number } | null;
}

/**
 * Components of `mask > threshold` (8- or 4-connected). Keeps the largest, plus any other at least `keepRatio` of its
 * area (0 keeps all, 1 only the largest).
 */
export function largestComponents(
  cv: CV,
  mask: FloatImage,
  threshold: number,
  keepRatio = 1,
  connectivity: 4 | 8 = 8,
): Components {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, threshold));
    const labels = t(new cv.Mat());
    const stats = t(new cv.Mat());
    const centroids = t(new cv.Mat());
    const n: number = cv.connectedComponentsWithStats(m, labels, stats, centroids, connectivity, cv.CV_32S);
    const s = stats.data32S as Int32Array;
    const cols = stats.cols as number;
    let largest = 0;
    for (let i = 1; i < n; i++) largest = Math.max(largest, s[i * cols + cv.CC_STAT_AREA]);
    const keep = new Uint8Array(n);
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (let i = 1; i < n; i++) {
      const area = s[i * cols + cv.CC_STAT_AREA];
      if (largest > 0 && area >= keepRatio * largest) {
        keep[i] = 1;
        const x = s[i * cols + cv.CC_STAT_LEFT];
        const y = s[i * cols + cv.CC_STAT_TOP];
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + s[i * cols + cv.CC_STAT_WIDTH]);
        y1 = Math.max(y1, y + s[i * cols + cv.CC_STAT_HEIGHT]);
      }
    }
    const lab = labels.data32S as Int32Array;
    const out = createImage(mask.width, mask.height, 1);
    for (let i = 0; i < lab.length; i++) out.data[i] = keep[lab[i]];
    const box = x1 > x0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
    return { mask: out, box };
  });
}

export function gaussianBlur(cv: CV, image: FloatImage, sigma: number): FloatImage {
  return withMats((t) => {
    const type = image.channels === 1 ? cv.CV_32FC1 : image.channels === 3 ? cv.CV_32FC3 : cv.CV_32FC4;
    const m = t(new cv.Mat(image.height, image.width, type));
    (m.data32F as Float32Array).set(image.data);
    cv.GaussianBlur(m, m, new cv.Size(0, 0), sigma, sigma, cv.BORDER_REPLICATE);
    return { ...image, data: new Float32Array(m.data32F) };
  });
}

const derived = new WeakMap<FloatImage, Map<string, FloatImage>>();

/** What `make` derives from an image that is never changed once made (a frame's analysis-size copy, a video's plate),
 * made once per image and `key`. */
export function onceFor(image: FloatImage, key: string, make: () => FloatImage): FloatImage {
  let byKey = derived.get(image);
  if (!byKey) derived.set(image, (byKey = new Map()));
  let made = byKey.get(key);
  if (!made) byKey.set(key, (made = make()));
  return made;
}

/**
 * `gaussianBlur` of an image that is never changed once made, computed once per image and sigma: the plate
 * difference and the exposure fit blur the same two images, and a video's plate is the same image every frame.
 */
export function blurOfUnchanging(cv: CV, image: FloatImage, sigma: number): FloatImage {
  return onceFor(image, `blur ${sigma}`, () => gaussianBlur(cv, image, sigma));
}

/**
 * Opens an 8-bit 0/255 Mat in place by a disc of `radius`, less `trim` pixels of the opened blobs' edge (a negative
 * `trim` grows them instead). Two distance transforms: linear time at any radius (a 9×9 kernel at 512 px took ~40 ms).
 */
export function openByDisc(cv: CV, mask: { data: Uint8Array }, radius: number, trim = 0): void {
  withMats((t) => {
    const dist = t(new cv.Mat());
    cv.distanceTransform(mask, dist, cv.DIST_L2, 3);
    // Views on OpenCV's memory are taken after each allocation: a growing heap detaches older ones.
    let [bytes, distance] = [mask.data, dist.data32F as Float32Array];
    for (let i = 0; i < bytes.length; i++) bytes[i] = distance[i] > radius ? 0 : 255; // 0 = the eroded mask
    cv.distanceTransform(mask, dist, cv.DIST_L2, 3);
    [bytes, distance] = [mask.data, dist.data32F as Float32Array];
    for (let i = 0; i < bytes.length; i++) bytes[i] = distance[i] <= radius - trim ? 255 : 0;
  });
}

/** Binary opening of `mask > 0.5` by a disc of `radius` (`openByDisc`): bridges and strips narrower than it go. */
export function openMask(cv: CV, mask: FloatImage, radius: number): FloatImage {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, 0.5));
    openByDisc(cv, m, radius);
    return fromMat8(m);
  });
}

/** Binary closing of `mask > 0.5` by an ellipse of the given radius: gaps and notches narrower than it are filled. */
export function closeMask(cv: CV, mask: FloatImage, radius: number): FloatImage {
  return byDisc(cv, mask, radius, (m, k) => cv.morphologyEx(m, m, cv.MORPH_CLOSE, k));
}

/**
 * Binary closing of `mask > 0.5` by a disc of `radius`: the complement opened by `openByDisc` (two distance
 * transforms, linear time at any radius, where `closeMask`'s ellipse kernel costs its area per pixel: ~260 ms at
 * radius 8 over a 1920×1080 frame, ~45 ms this way).
 */
export function closeByDisc(cv: CV, mask: FloatImage, radius: number): FloatImage {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, 0.5));
    cv.bitwise_not(m, m);
    openByDisc(cv, m, radius);
    cv.bitwise_not(m, m);
    return fromMat8(m);
  });
}

/** Binary dilation of `mask > 0.5` by an ellipse of the given radius. */
export function dilateMask(cv: CV, mask: FloatImage, radius: number): FloatImage {
  return byDisc(cv, mask, radius, (m, k) => cv.dilate(m, m, k));
}

/** 1 where `image > threshold` and farther than `distancePx` from every pixel that is not: an eroded interior. */
export function interiorOf(cv: CV, image: FloatImage, threshold: number, distancePx: number): Uint8Array {
  const outside = createImage(image.width, image.height, 1);
  for (let i = 0; i < image.data.length; i++) outside.data[i] = image.data[i] > threshold ? 0 : 1;
  const distance = distanceToMask(cv, outside);
  // A plain loop: Uint8Array.from with a map function is ~20 times slower over a frame.
  const interior = new Uint8Array(distance.length);
  for (let i = 0; i < distance.length; i++) interior[i] = distance[i] > distancePx ? 1 : 0;
  return interior;
}

/** Euclidean distance (px) from each pixel to the nearest pixel of `mask > 0.5` (0 inside it). */
export function distanceToMask(cv: CV, mask: FloatImage): Float32Array {
  return withMats((t) => {
    const m = t(toMat8(cv, mask, 0.5));
    cv.bitwise_not(m, m);
    const dist = t(new cv.Mat());
    cv.distanceTransform(m, dist, cv.DIST_L2, 3);
    return new Float32Array(dist.data32F);
  });
}
