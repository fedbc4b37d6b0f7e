/**
 * The five scenarios of the original DealProof demo as fixtures. Amounts are in units of
 * 0.001 ETH (the demo uses local test ETH): vision's budget 1000 is 1 ETH, its floor 600 is 0.6 ETH.
 * Each names the terms it negotiates and how the demo generates a matching CSV dataset. Demo and
 * test data only: the oracle never reads it (it lived in oracle/negotiation before issue 22).
 */
import type { Terms } from "../../oracle/negotiation/types.ts";
import { DealProofError } from "../../sdk/src/errors.ts";

const UNIT_WEI = 10n ** 15n;

export interface Scenario {
  name: "vision" | "medical" | "lidar" | "finance" | "nlp";
  title: string;
  buyerRequirements: string;
  sellerDescription: string;
  budgetUnits: number;
  floorUnits: number;
  /** What the buyer escrows: above the budget, which it hides. */
  escrowUnits: number;
  terms: Terms;
  dataset: { columns: string[]; rows: number; row: (i: number) => (string | number)[] };
}

/** Deterministic pseudo-random numbers for generated rows (xorshift32; no library needed). */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "vision",
    title: "Labelled Vision Dataset",
    buyerRequirements:
      "We need at least 10,000 labelled street-scene images with bounding boxes for an object-detection model. COCO-style labels, verified within the last two years, commercial use.",
    sellerDescription:
      "COCO-style labelled image dataset: 12,000 street scenes with bounding boxes across 8 classes, labels double-checked in 2025. Licensed for commercial model training.",
    budgetUnits: 1000,
    floorUnits: 600,
    escrowUnits: 1250,
    terms: { accessScope: "full", durationDays: 365, extras: { commercialUse: true } },
    dataset: {
      columns: ["image_id", "label", "x", "y", "w", "h", "verified"],
      rows: 12000,
      row: (i) => {
        const r = seeded(i + 1);
        return [
          `img_${String(i).padStart(6, "0")}`,
          pick(r, ["car", "person", "bike", "bus", "truck", "sign", "light", "dog"]),
          Math.floor(r() * 1800),
          Math.floor(r() * 1000),
          20 + Math.floor(r() * 300),
          20 + Math.floor(r() * 300),
          "2025",
        ];
      },
    },
  },
  {
    name: "medical",
    title: "De-identified Clinical Records",
    buyerRequirements:
      "Research hospital seeking de-identified outpatient records (diagnosis codes, lab values, outcomes) for a diabetes risk study. HIPAA Safe Harbor de-identification required; research-only use is fine.",
    sellerDescription:
      "48,000 de-identified outpatient encounters (ICD-10 codes, HbA1c and glucose labs, 12-month outcomes), Safe Harbor de-identified and audited. Research-only licence.",
    budgetUnits: 5000,
    floorUnits: 3500,
    escrowUnits: 6000,
    terms: { accessScope: "research-only", durationDays: 730, extras: { deidentified: true } },
    dataset: {
      columns: ["encounter_id", "icd10", "hba1c", "glucose", "outcome_12m"],
      rows: 48000,
      row: (i) => {
        const r = seeded(7919 * (i + 1));
        return [
          `enc_${i}`,
          pick(r, ["E11.9", "E11.65", "R73.03", "I10", "E78.5"]),
          (5 + r() * 6).toFixed(1),
          Math.floor(80 + r() * 200),
          pick(r, ["stable", "improved", "admitted"]),
        ];
      },
    },
  },
  {
    name: "lidar",
    title: "Autonomous-Driving LiDAR Sweeps",
    buyerRequirements:
      "Need annotated LiDAR point-cloud sweeps from urban driving, with 3D boxes for vehicles and pedestrians, for perception training. At least 5,000 sweeps; night and rain coverage preferred.",
    sellerDescription:
      "6,500 annotated 64-beam LiDAR sweeps from urban driving (day, night, rain), 3D boxes for vehicles, cyclists and pedestrians.",
    budgetUnits: 2500,
    floorUnits: 1800,
    escrowUnits: 3000,
    terms: { accessScope: "full", durationDays: 365 },
    dataset: {
      columns: ["sweep_id", "condition", "objects", "points"],
      rows: 6500,
      row: (i) => {
        const r = seeded(104729 * (i + 1));
        return [
          `sweep_${i}`,
          pick(r, ["day", "night", "rain"]),
          Math.floor(r() * 40),
          100000 + Math.floor(r() * 30000),
        ];
      },
    },
  },
  {
    name: "finance",
    title: "Intraday Market Microstructure",
    buyerRequirements:
      "Quant fund looking for level-2 order book snapshots for US equities at 1-second resolution over at least 12 months, for execution research. Non-commercial internal use.",
    sellerDescription:
      "Level-2 order book snapshots, 1-second resolution, 500 US equities, 18 months, cleaned of crossed books.",
    budgetUnits: 3000,
    floorUnits: 2200,
    escrowUnits: 3600,
    terms: { accessScope: "non-commercial", durationDays: 365 },
    dataset: {
      columns: ["ts", "symbol", "bid", "ask", "bid_size", "ask_size"],
      rows: 30000,
      row: (i) => {
        const r = seeded(15485863 * (i + 1));
        const mid = 50 + r() * 400;
        return [
          1735689600 + i,
          pick(r, ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG"]),
          (mid - 0.01).toFixed(2),
          (mid + 0.01).toFixed(2),
          Math.floor(r() * 900) + 100,
          Math.floor(r() * 900) + 100,
        ];
      },
    },
  },
  {
    name: "nlp",
    title: "Multilingual Support Conversations",
    buyerRequirements:
      "We want customer-support conversations in at least 5 languages with intent labels, PII removed, to fine-tune a support assistant. Evaluation access first is acceptable.",
    sellerDescription:
      "210,000 customer-support conversations in 7 languages with 40 intent labels; PII scrubbed and spot-checked.",
    budgetUnits: 800,
    floorUnits: 500,
    escrowUnits: 1000,
    terms: { accessScope: "evaluation", durationDays: 90, extras: { piiRemoved: true } },
    dataset: {
      columns: ["conversation_id", "language", "intent", "turns"],
      rows: 20000,
      row: (i) => {
        const r = seeded(32452843 * (i + 1));
        return [
          `conv_${i}`,
          pick(r, ["en", "de", "fr", "es", "pt", "ja", "ko"]),
          pick(r, ["refund", "shipping", "login", "billing", "cancel"]),
          2 + Math.floor(r() * 14),
        ];
      },
    },
  },
];

export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (s === undefined)
    throw new DealProofError("negotiation.unknown_scenario", `unknown scenario "${name}"`, {
      hint: `choose one of ${SCENARIOS.map((x) => x.name).join(", ")}`,
    });
  return s;
}

export const units = (u: number): bigint => BigInt(u) * UNIT_WEI;

/** The scenario's dataset as CSV text (header + rows). */
export function scenarioCsv(s: Scenario, rows = s.dataset.rows): string {
  const lines = [s.dataset.columns.join(",")];
  for (let i = 0; i < rows; i++) lines.push(s.dataset.row(i).join(","));
  return lines.join("\n") + "\n";
}
