/**
 * The demo's buyer checks per scenario (built with the SDK's `checks()` builder) and the dataset a
 * dishonest seller would offer instead: the scenario's rows with its label column replaced by
 * junk, so the buyer's required "labels-known" check fails inside the enclave.
 */
import { checks, type CheckSpec } from "../../sdk/src/checks.ts";
import { scenarioCsv, type Scenario } from "./scenarios.ts";

/** Per scenario: the column that carries its labels and every label the generator emits. */
const LABELS: Record<string, { column: string; values: string[] }> = {
  vision: { column: "label", values: ["car", "person", "bike", "bus", "truck", "sign", "light", "dog"] },
  medical: { column: "icd10", values: ["E11.9", "E11.65", "R73.03", "I10", "E78.5"] },
  lidar: { column: "condition", values: ["day", "night", "rain"] },
  finance: { column: "symbol", values: ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG"] },
  nlp: { column: "intent", values: ["refund", "shipping", "login", "billing", "cancel"] },
};

/** The id of the check a dishonest seller's dataset fails. */
const DISHONEST_CHECK_ID = "labels-known";

function labelsOf(s: Scenario): { column: string; values: string[] } {
  const l = LABELS[s.name];
  if (l === undefined) throw new Error(`no demo checks for scenario ${s.name}`);
  return l;
}

/** The buyer's checks for a scenario: its generated CSV of `minRows` rows or more passes them all. */
export function scenarioChecks(s: Scenario, minRows: number): CheckSpec {
  const { column, values } = labelsOf(s);
  return checks()
    .rowCount({ min: minRows }, { id: "enough-rows" })
    .column(column, "string", { id: "label-column" })
    .nullFraction(column, 0, { id: "labels-present" })
    .valuesIn(column, values, { id: DISHONEST_CHECK_ID })
    .build();
}

/** The dishonest seller's CSV: the scenario's rows, every label replaced by an unknown value. */
export function dishonestCsv(s: Scenario, rows: number): string {
  const { column } = labelsOf(s);
  const [header, ...body] = scenarioCsv(s, rows).trimEnd().split("\n");
  const at = header!.split(",").indexOf(column);
  const junk = body.map((line) => {
    const cells = line.split(",");
    cells[at] = "unlabelled";
    return cells.join(",");
  });
  return [header, ...junk].join("\n") + "\n";
}
