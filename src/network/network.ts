/** The runtime-agnostic view of a matting network: the pipeline needs nothing more. */
import type { NetworkInputs, NetworkOutputs } from "./contract.js";

export interface MattingNetwork {
  /** Model name and where it came from, for result metadata. */
  readonly name: string;
  run(inputs: NetworkInputs): Promise<NetworkOutputs>;
  dispose(): Promise<void>;
}

export const DEVICES = ["cpu"] as const;
export type Device = (typeof DEVICES)[number];
