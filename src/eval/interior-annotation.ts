/**
 * Hand-drawn annotations of what must come out solid (a face, a neck, a torso) in a photo without ground-truth
 * α: ellipses and polygons in the photo's pixel coordinates, rasterised to a 0/1 mask. With `seeThrough`
 * (metrics.ts) they measure holes punched in a subject on real photos.
 */
import type { CV } from "../cv/opencv.js";
import { withMats } from "../cv/opencv.js";

export interface InteriorAnnotation {
  width: number;
  height: number;
  ellipses: { name: string; cx: number; cy: number; rx: number; ry: number }[];
  polygons: { name: string; points: [number, number][] }[];
}

/** The annotation as a 0/1 mask of its own size, or scaled to `width` × `height`. */
export function rasteriseInterior(
  cv: CV,
  note: InteriorAnnotation,
  width = note.width,
  height = note.height,
): Uint8Array {
  const sx = width / note.width;
  const sy = height / note.height;
  return withMats((t) => {
    const m = t(cv.Mat.zeros(height, width, cv.CV_8UC1));
    const white = new cv.Scalar(1);
    for (const e of note.ellipses) {
      const centre = new cv.Point(Math.round(e.cx * sx), Math.round(e.cy * sy));
      const axes = new cv.Size(Math.round(e.rx * sx), Math.round(e.ry * sy));
      cv.ellipse(m, centre, axes, 0, 0, 360, white, -1);
    }
    for (const p of note.polygons) {
      const flat = p.points.flatMap(([x, y]) => [Math.round(x * sx), Math.round(y * sy)]);
      const points = t(cv.matFromArray(p.points.length, 1, cv.CV_32SC2, flat));
      const list = t(new cv.MatVector());
      list.push_back(points);
      cv.fillPoly(m, list, white);
    }
    return new Uint8Array(m.data);
  });
}
