/** Motion cues M: grey frames at t−2T, t−T, t+T, t+2T; for a still, its own grey image four times. */
import { stackChannels, toGrey, type FloatImage } from "../image/types.js";

export function stillMotionCues(image: FloatImage): FloatImage {
  const grey = toGrey(image);
  return stackChannels([grey, grey, grey, grey]);
}

export function motionCues(neighbours: [FloatImage, FloatImage, FloatImage, FloatImage]): FloatImage {
  return stackChannels(neighbours.map(toGrey));
}
