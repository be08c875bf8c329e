/** The page: camera, plate capture, live composite, stats, snapshot, recording, still photos by drag and drop. */
import { liveModelFiles, type Manifest } from "../../src/network/manifest.js";
import type { FromWorker } from "./protocol.js";
import { WorkerPool } from "./worker-pool.js";
import { AdaptiveWorkingSize } from "./working-size.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const video = $<HTMLVideoElement>("camera");
const output = $<HTMLCanvasElement>("output");
const ctx = output.getContext("2d", { willReadFrequently: true })!;
const status = (s: string) => ($("status").textContent = s);
const params = new URLSearchParams(location.search);
const countdownSeconds = Number(params.get("countdown") ?? 3);

const cores = navigator.hardwareConcurrency || 1;
/** One inference worker per core, at most two (measured on 2 cores; ?workers= overrides, up to 4). */
const workerCount = Math.max(1, Math.min(4, Number(params.get("workers") ?? Math.min(2, cores))));
const pool = new WorkerPool(workerCount, onWorkerMessage);
let readyWorkers = 0;
let ready = false;
let plateCaptured = false;
let frameId = 0;
/** The live working size adapts to the measured speed (updateStats); a manual choice overrides it. */
const adaptive = new AdaptiveWorkingSize();
let workingSize = adaptive.size;
let background: HTMLImageElement | null = null;
let recorder: MediaRecorder | null = null;
const e2eTimes: number[] = [];
const modelTimes: number[] = [];
const stageTimes: Record<string, number>[] = [];
const sendTimes: number[] = [];
const workerTimes: number[] = [];
/** When each of the last live frames was shown: the end-to-end rate, whatever the number of frames in flight. */
const shownAt: number[] = [];
/** When each frame in flight was grabbed, by id. */
const grabbedAt = new Map<number, number>();
let lastShownId = 0;
/** The worker whose result is on the canvas (a snapshot asks it for its foreground and α). */
let shownBy = 0;
let lastSentAt = 0;
/** A dropped photo waiting for a free worker; live frames wait while it is pending. */
let pendingStill: { frame: ImageData; plate: ImageData } | undefined;
let stillInFlight = false;

// Expose state for end-to-end tests and curious users.
const debug = {
  framesDone: 0,
  stillsDone: 0,
  backend: "",
  plateCaptured: false,
  /** Live frames' mean milliseconds per pipeline stage in the worker (last 20). */
  timings: {} as Record<string, number>,
  /** Live frames' mean round trip (ms, last 20) split: grabbing and sending here, and the worker's whole turn. */
  frameMs: { send: 0, worker: 0, roundTrip: 0 },
};
(window as unknown as { __bgmatte: typeof debug }).__bgmatte = debug;

/** The model the page runs: ?model= (`bgmatte serve --model` sets it), else the manifest's live model, with its
 * file for the WASM backend (a dropped photo runs the same network at its own mode's size). */
async function modelUrls(): Promise<{ modelUrl: string; wasmModelUrl?: string }> {
  const named = params.get("model");
  if (named) return { modelUrl: new URL(named, location.href).href };
  const response = await fetch(new URL("models/manifest.json", location.href));
  if (!response.ok) throw new Error(`models/manifest.json: HTTP ${response.status}`);
  const { file, wasmFile } = liveModelFiles((await response.json()) as Manifest);
  const url = (name: string) => new URL(`models/${name}`, location.href).href;
  return { modelUrl: url(file), wasmModelUrl: url(wasmFile) };
}

/** Whether the workers have been told which models to load: nothing else is sent to them before. */
let initialised = false;
// Not awaited: the buttons get their handlers at once, and a click while the manifest loads is heard.
void modelUrls().then(
  (urls) => {
    pool.broadcast({
      type: "init",
      threads: Math.max(1, Math.floor(cores / workerCount)),
      ...urls,
      contractUrl: new URL("models/contract.json", location.href).href,
      segmenterUrl: new URL("models/person-segmenter.onnx", location.href).href,
      faceDetectorUrl: new URL("models/face-detector.onnx", location.href).href,
      wasmPaths: new URL("ort/", location.href).href,
      preferWebGPU: params.get("backend") !== "wasm",
    });
    initialised = true;
    sendPendingStill();
  },
  (e: Error) => status(`error: cannot find the model (${e.message})`),
);

/** Frame size sent to the worker: the camera's, scaled to at most 640 px wide. */
function frameSize() {
  const scale = Math.min(1, 640 / (video.videoWidth || 640));
  return { width: Math.round(video.videoWidth * scale), height: Math.round(video.videoHeight * scale) };
}

function grab(): ImageData {
  const { width, height } = frameSize();
  return pixelsOf(video, width, height);
}

/** A 2-D context kept for reading pixels back: one canvas per use, not one per frame. */
function readableContext(): (width: number, height: number) => OffscreenCanvasRenderingContext2D {
  let c: OffscreenCanvasRenderingContext2D | undefined;
  return (width, height) => {
    if (!c || c.canvas.width !== width || c.canvas.height !== height)
      c = new OffscreenCanvas(width, height).getContext("2d", { willReadFrequently: true })!;
    return c;
  };
}
const grabContext = readableContext();
const backgroundContext = readableContext();

/** A picture (camera, photo) as RGBA pixels at the given size. */
function pixelsOf(source: CanvasImageSource, width: number, height: number): ImageData {
  const c = grabContext(width, height);
  c.drawImage(source, 0, 0, width, height);
  return c.getImageData(0, 0, width, height);
}

/**
 * What a worker's background is: a colour or an image is the same picture every frame, so each worker is sent it
 * once (and again when it changes); the blurred room changes with every frame (undefined: always sent).
 */
function backgroundKey(width: number, height: number): string | undefined {
  const mode = $<HTMLSelectElement>("background").value;
  if (mode === "blur") return undefined;
  const what = mode === "image" && background ? background.src : $<HTMLInputElement>("colour").value;
  return `${mode} ${what} ${width}×${height}`;
}
const backgroundHeld: (string | undefined)[] = [];

function drawBackground(width: number, height: number, frame: ImageData): Uint8ClampedArray<ArrayBuffer> {
  const mode = $<HTMLSelectElement>("background").value;
  const c = backgroundContext(width, height);
  c.filter = "none";
  if (mode === "image" && background) {
    const s = Math.max(width / background.width, height / background.height);
    c.drawImage(
      background,
      (width - background.width * s) / 2,
      (height - background.height * s) / 2,
      background.width * s,
      background.height * s,
    );
  } else if (mode === "blur") {
    c.filter = "blur(12px)";
    c.putImageData(frame, 0, 0);
    c.drawImage(c.canvas, 0, 0);
  } else {
    c.fillStyle = $<HTMLInputElement>("colour").value;
    c.fillRect(0, 0, width, height);
  }
  return c.getImageData(0, 0, width, height).data;
}

/** Send a frame (and, for a dropped photo, its plate) to worker `i` with the background it is composited on. */
function sendMatte(i: number, frame: ImageData, mode: "fast" | "balanced", plate?: ImageData): number {
  const picture = (im: ImageData) => ({ rgba: im.data, width: im.width, height: im.height });
  const key = backgroundKey(frame.width, frame.height);
  const held = key !== undefined && backgroundHeld[i] === key;
  const background = held ? undefined : drawBackground(frame.width, frame.height, frame);
  backgroundHeld[i] = key;
  const transfer = [
    frame.data.buffer,
    ...(background ? [background.buffer] : []),
    ...(plate ? [plate.data.buffer] : []),
  ];
  grabbedAt.set(frameId + 1, performance.now());
  pool.matte(
    i,
    {
      type: "matte",
      id: ++frameId,
      frame: picture(frame),
      background,
      plate: plate && picture(plate),
      mode,
      // Live frames adapt the working size to the measured speed; a dropped photo uses its mode's.
      workingSize: mode === "fast" ? workingSize : undefined,
      // A still's plate was shot by hand (align it, as the command line does); the live camera stands still.
      align: plate !== undefined,
    },
    transfer,
  );
  return frameId;
}

function showComposite(r: Extract<FromWorker, { type: "result" }>) {
  const { width, height } = r;
  if (output.width !== width || output.height !== height) Object.assign(output, { width, height });
  ctx.putImageData(new ImageData(r.rgba, width, height), 0, 0);
  snapshotReady = true;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
/** Frames shown per second over the last ones shown. */
const shownFps = () =>
  shownAt.length < 2 ? NaN : (1000 * (shownAt.length - 1)) / (shownAt.at(-1)! - shownAt[0]);

function updateStats(r: Extract<FromWorker, { type: "result" }>, latency: number) {
  e2eTimes.push(latency);
  modelTimes.push(r.networkMs);
  workerTimes.push(r.totalMs);
  shownAt.push(performance.now());
  stageTimes.push(r.timings);
  for (const times of [e2eTimes, modelTimes, workerTimes, sendTimes, stageTimes])
    if (times.length > 20) times.shift();
  debug.timings = Object.fromEntries(
    Object.keys(r.timings).map((stage) => [stage, mean(stageTimes.map((t) => t[stage] ?? 0))]),
  );
  if (shownAt.length > 21) shownAt.shift();
  debug.frameMs = { send: mean(sendTimes), worker: mean(workerTimes), roundTrip: mean(e2eTimes) };
  const fps = shownFps();
  const workers = pool.size > 1 ? ` · ${pool.size} workers` : "";
  $("model-fps").textContent = `model ${(1000 / mean(modelTimes)).toFixed(1)} fps`;
  if (fps) $("e2e-fps").textContent = `end-to-end ${fps.toFixed(1)} fps @ ${workingSize}px${workers}`;
  // Adaptive working size: a larger network input only while the page stays fluid (20 fps and more).
  if ($<HTMLSelectElement>("resolution").value === "auto" && shownAt.length >= 12) {
    if (adaptive.update(fps, performance.now())) shownAt.splice(0, shownAt.length - 1);
    workingSize = adaptive.size;
  } else if ($<HTMLSelectElement>("resolution").value !== "auto")
    workingSize = Number($<HTMLSelectElement>("resolution").value);
}

let snapshotReady = false;
/**
 * Sends the camera's current frame to a free worker, when there is a plate. With several workers the frames are
 * spread over a round trip, so that results come evenly rather than in bursts.
 */
function sendLiveFrame(): boolean {
  if (!ready || !plateCaptured || pendingStill || stillInFlight || video.readyState < 2) return false;
  const i = pool.free();
  const now = performance.now();
  if (i < 0 || now - lastSentAt < (0.8 * mean(e2eTimes)) / pool.size) return false;
  lastSentAt = now;
  sendMatte(i, grab(), "fast");
  sendTimes.push(performance.now() - now);
  return true;
}

/** A pending dropped photo goes to the first free worker. */
function sendPendingStill() {
  const i = pool.free();
  if (!initialised || !pendingStill || i < 0) return;
  stillId = sendMatte(i, pendingStill.frame, "balanced", pendingStill.plate);
  pendingStill = undefined;
  stillInFlight = true;
}

function loop() {
  // Before the plate is taken, the camera is shown as it is.
  if (!sendLiveFrame() && !plateCaptured && video.readyState >= 2) {
    const f = grab();
    if (output.width !== f.width) Object.assign(output, { width: f.width, height: f.height });
    ctx.putImageData(f, 0, 0);
  }
  requestAnimationFrame(loop);
}

function onWorkerMessage(worker: number, m: FromWorker) {
  if (m.type === "loading") {
    if (m.status === "loading") $("backend").textContent = `loading ${m.part}…`;
  } else if (m.type === "ready") {
    if (++readyWorkers < pool.size) return;
    ready = true;
    debug.backend = m.backend;
    const people = m.personPrior ? ` · person prior${m.faceDetector ? " · faces" : ""}` : "";
    $("backend").textContent = `backend: ${m.backend}${people}`;
  } else if (m.type === "result") {
    const latency = performance.now() - grabbedAt.get(m.id)!;
    grabbedAt.delete(m.id);
    if (m.id === stillId) {
      stillInFlight = false;
      shownBy = worker;
      showComposite(m);
      return showStill(m);
    }
    // The next frame at once, not at the next animation frame: a worker mattes it while this one is drawn.
    sendPendingStill();
    sendLiveFrame();
    // A frame overtaken by a later one (another worker's) is not shown: the picture never steps back in time.
    if (m.id < lastShownId) return;
    lastShownId = m.id;
    shownBy = worker;
    showComposite(m);
    updateStats(m, latency);
    debug.framesDone++;
  } else if (m.type === "snapshot") {
    const c = document.createElement("canvas");
    Object.assign(c, { width: m.width, height: m.height });
    c.getContext("2d")!.putImageData(new ImageData(m.rgba, m.width, m.height), 0, 0);
    c.toBlob((b) => download(b!, "bgmatte-snapshot.png"), "image/png");
  } else {
    stillInFlight = false;
    status(`error: ${m.message}`);
  }
}

$("start").onclick = async () => {
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 360 },
      audio: false,
    });
    await video.play();
    $("notice").hidden = true;
    $<HTMLButtonElement>("capture").disabled = false;
    status("Camera on. Step out of frame and capture the plate.");
    requestAnimationFrame(loop);
  } catch (e) {
    notice(cameraProblem(e as DOMException));
  }
};

/** What to tell the user when the camera cannot be opened, by the browser's reason. */
function cameraProblem(e: DOMException): string {
  if (e.name === "NotAllowedError" || e.name === "SecurityError")
    return "Camera access was denied. Allow the camera for this site (the icon in the address bar), then press Start camera again.";
  if (e.name === "NotFoundError" || e.name === "OverconstrainedError")
    return "No camera was found. Connect one and press Start camera again, or matte a still photo with the controls.";
  if (e.name === "NotReadableError")
    return "The camera is in use by another application. Close it and press Start camera again.";
  return `Cannot open the camera (${e.name}: ${e.message}).`;
}

/** A message over the picture, where the user is looking (and in the status line). */
function notice(text: string) {
  $("notice").textContent = text;
  $("notice").hidden = false;
  status(text);
}

$("capture").onclick = async () => {
  const cd = $("countdown");
  cd.hidden = false;
  for (let s = Math.ceil(countdownSeconds); s > 0; s--) {
    cd.textContent = String(s);
    await new Promise((r) => setTimeout(r, (countdownSeconds / Math.ceil(countdownSeconds)) * 1000));
  }
  cd.hidden = true;
  const f = grab();
  pool.broadcast({ type: "plate", rgba: f.data, width: f.width, height: f.height });
  plateCaptured = debug.plateCaptured = true;
  for (const id of ["snapshot", "record"]) $<HTMLButtonElement>(id).disabled = false;
  status("Plate captured. Step back in.");
};

$("background").onchange = () => {
  if ($<HTMLSelectElement>("background").value === "image") $<HTMLInputElement>("upload").click();
};
$<HTMLInputElement>("upload").onchange = () => {
  const file = $<HTMLInputElement>("upload").files?.[0];
  if (!file) return;
  const img = new Image();
  img.onload = () => (background = img);
  img.src = URL.createObjectURL(file);
};

$("snapshot").onclick = () => {
  if (snapshotReady) pool.post(shownBy, { type: "snapshot" });
};

$("record").onclick = () => {
  if (recorder) {
    recorder.stop();
    return;
  }
  const chunks: Blob[] = [];
  recorder = new MediaRecorder(output.captureStream(15), { mimeType: "video/webm" });
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.onstop = () => {
    download(new Blob(chunks, { type: "video/webm" }), "bgmatte-recording.webm");
    recorder = null;
    $("record").textContent = "Record";
  };
  recorder.start();
  $("record").textContent = "Stop recording";
};

function download(blob: Blob, name: string) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
}

// Still photos: a photo and its plate, dropped together (photo first) or chosen one by one.
const still: { photo?: File; plate?: File } = {};
let stillId = -1;
let stillStartedAt = 0;

function showStillFiles() {
  const name = (f?: File) => f?.name ?? "–";
  $("still-files").textContent = `Photo: ${name(still.photo)} · Plate: ${name(still.plate)}`;
  $("swap").hidden = !(still.photo && still.plate);
}

async function matteStill() {
  showStillFiles();
  if (!still.photo || !still.plate) return status(`Now choose the ${still.photo ? "plate" : "photo"}.`);
  const [image, plate] = await Promise.all([still.photo, still.plate].map((f) => createImageBitmap(f)));
  // At most 1280 px on the longer side; the plate fitted inside the photo's size, its own aspect kept (one of another
  // aspect is aligned to the photo by the worker's pipeline).
  const scale = Math.min(1, 1280 / Math.max(image.width, image.height));
  const [width, height] = [Math.round(image.width * scale), Math.round(image.height * scale)];
  const fit = Math.min(width / plate.width, height / plate.height);
  stillStartedAt = performance.now();
  $<HTMLButtonElement>("save").disabled = true;
  pendingStill = {
    frame: pixelsOf(image, width, height),
    plate: pixelsOf(plate, Math.round(plate.width * fit), Math.round(plate.height * fit)),
  };
  sendPendingStill();
  status("Matting the photo…");
}

function showStill(r: Extract<FromWorker, { type: "result" }>) {
  const seconds = ((performance.now() - stillStartedAt) / 1000).toFixed(1);
  $("e2e-fps").textContent = `still ${r.width}×${r.height} in ${seconds} s @ ${r.workingSize}px`;
  $("model-fps").textContent = `model ${r.networkMs.toFixed(0)} ms`;
  $<HTMLButtonElement>("save").disabled = false;
  $<HTMLButtonElement>("snapshot").disabled = false;
  const warned = r.warnings.length ? ` Note: ${r.warnings.join("; ")}.` : "";
  status(
    `Photo matted in ${seconds} s. Save result keeps it; if photo and plate are swapped, swap them.${warned}`,
  );
  debug.stillsDone++;
}

const drop = $("drop");
drop.ondragover = (e) => (e.preventDefault(), drop.classList.add("over"));
drop.ondragleave = () => drop.classList.remove("over");
drop.ondrop = (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const files = Array.from(e.dataTransfer?.files ?? []).filter((f) => f.type.startsWith("image/"));
  if (files.length === 2) [still.photo, still.plate] = files;
  else if (files.length === 1) still[still.photo ? "plate" : "photo"] = files[0];
  else return status("Drop images: the photo, then its plate (or both at once, photo first).");
  void matteStill();
};
for (const slot of ["photo", "plate"] as const)
  $<HTMLInputElement>(`${slot}-file`).onchange = () => {
    const file = $<HTMLInputElement>(`${slot}-file`).files?.[0];
    if (!file) return;
    still[slot] = file;
    void matteStill();
  };
$("swap").onclick = () => {
  [still.photo, still.plate] = [still.plate, still.photo];
  void matteStill();
};
$("save").onclick = () => output.toBlob((b) => download(b!, "bgmatte-result.png"), "image/png");
