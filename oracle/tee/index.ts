/** Chooses the TEE backend from configuration. */
import { DstackBackend } from "./dstack.ts";
import { SimulatorBackend, type SimulatedImage } from "./simulator.ts";
import type { TeeBackend } from "./backend.ts";

export type TeeConfig =
  | { mode: "simulator"; seedFile: string; image?: SimulatedImage; createSeed?: boolean }
  | { mode: "dstack"; endpoint?: string };

export function createTeeBackend(config: TeeConfig): TeeBackend {
  return config.mode === "simulator"
    ? SimulatorBackend.fromSeedFile(config.seedFile, config.image, config.createSeed ?? false)
    : new DstackBackend(config.endpoint);
}

export type { TeeBackend } from "./backend.ts";
