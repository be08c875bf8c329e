/** A photo: matted and written as `bgmatte image` writes it (the same files, each atomically). */
import { photoOutputs, writePhotoOutputs } from "../cli/image-outputs.js";
import { decodeImage } from "../image/codec-node.js";
import type { Matter } from "../node/matter.js";
import { GREEN, readStillTarget } from "../video/target.js";
import type { PhotoJobData } from "./job-data.js";

export async function runPhoto(data: PhotoJobData, matter: Matter): Promise<{ outputs: string[] }> {
  const image = await decodeImage(data.photo, "photo");
  const result = await matter.matte({ image, plate: data.plate });
  const target = data.target ? await readStillTarget(data.target) : GREEN;
  await writePhotoOutputs(photoOutputs(image, result, target), data.files);
  return { outputs: Object.values(data.files) };
}
