/** Chooses a TEE backend for local tools (tasks, the local entry): the simulator or dstack's. */
import { DstackBackend } from "../tee/dstack.ts";
import type { TeeBackend } from "../tee/backend.ts";
import { SimulatorBackend, type SimulatedImage } from "./backend.ts";

export type TeeConfig =
  | { mode: "simulator"; seedFile: string; image?: SimulatedImage; createSeed?: boolean; instanceId?: string }
  | { mode: "dstack"; endpoint?: string };

export function createTeeBackend(config: TeeConfig): TeeBackend {
  return config.mode === "simulator"
    ? SimulatorBackend.fromSeedFile(config.seedFile, config.image, config.createSeed ?? false, {
        instanceId: config.instanceId,
      })
    : new DstackBackend(config.endpoint);
}
