/**
 * The buyer's checks editor (DESIGN §10): add and remove checks of every kind the SDK supports,
 * each required or informative, or import a checks.json (the `deal:create --checks` format);
 * each problem the SDK's schema finds is shown next to its field. Overlap checks take the buyer's
 * own ids from a file, hashed and encrypted in this browser (overlap-keys.ts). Beside it, the
 * disclosure policy the results follow: the SDK's documented defaults, with the warning that the
 * seller's own policy is sealed and may be stricter. Controlled: the buyer's form holds the state
 * and turns it into the sealed input with `checksInput`.
 */
import { useState } from "react";
import { DEFAULT_POLICY, type CheckKind, type CheckSpec, type OverlapKeys } from "dealproof";
import {
  KINDS,
  checksFromRows,
  edited,
  newRow,
  rowsFromJson,
  type CheckRow,
  type RowErrors,
} from "./check-rows.ts";
import { newSalt, prepareOverlapKeys, type PreparedKeys } from "./overlap-keys.ts";
import { DownloadLink } from "./components.tsx";
import { plainError } from "./errors.ts";

export interface ChecksState {
  rows: CheckRow[];
  keys: PreparedKeys | null;
  keysLocation: string;
}

export const emptyChecks: ChecksState = { rows: [], keys: null, keysLocation: "" };

export type ChecksProblems = { errors: RowErrors; general: string[] };

/** The sealed input's `checks` and `overlapKeys`, or every problem to show (nothing is sent then). */
export function checksInput(
  s: ChecksState,
): { ok: true; checks?: CheckSpec; overlapKeys?: OverlapKeys } | ({ ok: false } & ChecksProblems) {
  const r = checksFromRows(s.rows);
  const problems: ChecksProblems = r.ok
    ? { errors: {}, general: [] }
    : { errors: r.errors, general: r.general };
  const overlap = s.rows.some((row) => row.kind === "overlap");
  const location = s.keysLocation.trim();
  if (overlap && s.keys === null) problems.general.push("overlap checks: choose the file of your own ids");
  else if (overlap && !/^https?:\/\//.test(location))
    problems.general.push("overlap checks: give the https:// location where you host the encrypted key file");
  if (!r.ok || problems.general.length > 0) return { ok: false, ...problems };
  return {
    ok: true,
    ...(r.spec === undefined ? {} : { checks: r.spec }),
    ...(overlap && s.keys !== null ? { overlapKeys: { ...s.keys.keys, location } } : {}),
  };
}

function PolicyNote({ count }: { count: number }) {
  const p = DEFAULT_POLICY;
  return (
    <aside className="policy" aria-label="Seller's disclosure policy" data-testid="policy">
      <strong>What the results may reveal (the seller's disclosure policy).</strong> The documented defaults:
      at most {p.maxChecks} checks; values rounded to {p.precision} significant digits; no aggregate over
      fewer than {p.minGroupSize} values; every column may be profiled; an overlap check reveals a count only.
      The seller's own policy is sealed to the oracle and may be stricter (pass/fail only, fewer checks or
      columns): a check outside it is refused, never passed, and a refused required check ends the deal as
      no-deal.
      {count > p.maxChecks ? (
        <span className="error">
          {" "}
          You have {count} checks, more than the default policy allows ({p.maxChecks}).
        </span>
      ) : null}
    </aside>
  );
}

export function ChecksEditor({
  value,
  onChange,
  problems,
}: {
  value: ChecksState;
  onChange: (s: ChecksState) => void;
  /** Shown once the buyer tried to create the deal (null: none yet). */
  problems: ChecksProblems | null;
}) {
  const [kind, setKind] = useState<CheckKind>("rowCount");
  const [note, setNote] = useState<string | null>(null);
  const rows = value.rows;
  const setRows = (r: CheckRow[]) => onChange({ ...value, rows: r });
  const update = (uid: number, f: (r: CheckRow) => CheckRow) =>
    setRows(rows.map((r) => (r.uid === uid ? f(edited(r)) : r)));

  const importFile = async (f: File | undefined) => {
    if (f === undefined) return;
    try {
      const imported = rowsFromJson(await f.text());
      setRows(imported);
      setNote(`imported ${imported.length} checks from ${f.name}`);
    } catch (e) {
      setNote(`${f.name}: ${plainError(e)}`);
    }
  };
  const chooseIds = async (f: File | undefined) => {
    if (f === undefined) return;
    try {
      onChange({ ...value, keys: await prepareOverlapKeys(f, newSalt()) });
      setNote(null);
    } catch (e) {
      onChange({ ...value, keys: null });
      setNote(plainError(e));
    }
  };

  return (
    <fieldset className="checks" aria-label="Checks on the data">
      <legend>Checks on the data (sealed; run by the oracle on the verified bytes)</legend>
      <PolicyNote count={rows.length} />
      {rows.map((row, i) => {
        const def = KINDS.find((d) => d.kind === row.kind)!;
        const err = problems?.errors[row.uid] ?? {};
        const errorOf = (name: string) => (err as Record<string, string | undefined>)[name];
        const errId = (name: string) => `check-${row.uid}-${name}-error`;
        return (
          <fieldset key={row.uid} className="check-row" data-row={i} data-kind={row.kind}>
            <legend>
              Check {i + 1}: {def.title}
            </legend>
            <div className="fields">
              <div>
                <label>
                  Check id
                  <input
                    value={row.id}
                    aria-invalid={errorOf("id") !== undefined}
                    aria-describedby={errorOf("id") === undefined ? undefined : errId("id")}
                    onChange={(e) => update(row.uid, (r) => ({ ...r, id: e.target.value }))}
                  />
                </label>
                {errorOf("id") === undefined ? null : (
                  <p className="field-error" id={errId("id")} data-error-for="id">
                    {errorOf("id")}
                  </p>
                )}
              </div>
              {def.fields.map((f) => (
                <div key={f.name}>
                  <label>
                    {f.label}
                    {f.as === "select" ? (
                      <select
                        aria-label={f.label}
                        value={row.fields[f.name] ?? ""}
                        onChange={(e) =>
                          update(row.uid, (r) => ({
                            ...r,
                            fields: { ...r.fields, [f.name]: e.target.value },
                          }))
                        }
                      >
                        {f.options!.map((o) => (
                          <option key={o} value={o}>
                            {o === "" ? "any type" : o}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        value={row.fields[f.name] ?? ""}
                        placeholder={f.placeholder}
                        inputMode={f.as === "number" ? "decimal" : undefined}
                        aria-invalid={errorOf(f.name) !== undefined}
                        aria-describedby={errorOf(f.name) === undefined ? undefined : errId(f.name)}
                        onChange={(e) =>
                          update(row.uid, (r) => ({
                            ...r,
                            fields: { ...r.fields, [f.name]: e.target.value },
                          }))
                        }
                      />
                    )}
                  </label>
                  {errorOf(f.name) === undefined ? null : (
                    <p className="field-error" id={errId(f.name)} data-error-for={f.name}>
                      {errorOf(f.name)}
                    </p>
                  )}
                </div>
              ))}
            </div>
            {errorOf("row") === undefined ? null : (
              <p className="field-error" data-error-for="row">
                {errorOf("row")}
              </p>
            )}
            <div className="row-foot">
              <label className="inline">
                <input
                  type="checkbox"
                  checked={row.required}
                  onChange={(e) => update(row.uid, (r) => ({ ...r, required: e.target.checked }))}
                />{" "}
                Required (failing it ends the deal as no-deal; otherwise informative)
              </label>
              <button
                type="button"
                className="secondary"
                onClick={() => setRows(rows.filter((r) => r !== row))}
              >
                Remove check {i + 1}
              </button>
            </div>
          </fieldset>
        );
      })}
      <div className="add-check">
        <label>
          Kind of check
          <select
            aria-label="Kind of check"
            value={kind}
            onChange={(e) => setKind(e.target.value as CheckKind)}
          >
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.title}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setRows([...rows, newRow(kind, rows)])}>
          Add check
        </button>
      </div>
      <label>
        Import checks.json (the format of deal:create --checks)
        <input
          type="file"
          accept=".json,application/json"
          onChange={(e) => void importFile(e.target.files?.[0])}
        />
      </label>
      {rows.some((r) => r.kind === "overlap") ? (
        <div className="overlap-keys">
          <label>
            Your own ids for overlap checks (a text file, one id per line; hashed here, never sent in clear)
            <input
              type="file"
              accept=".txt,.csv,text/plain"
              onChange={(e) => void chooseIds(e.target.files?.[0])}
            />
          </label>
          {value.keys === null ? null : (
            <p role="status" data-testid="overlap-keys">
              {value.keys.count} ids hashed in this browser (sha256 of salt + id, as the SDK does) and
              encrypted; host the encrypted key file and give its location.{" "}
              <DownloadLink data={value.keys.encrypted} name="overlap-keys.enc">
                Download the encrypted key file
              </DownloadLink>
            </p>
          )}
          <label>
            Encrypted key file location (https:// URL)
            <input
              value={value.keysLocation}
              autoComplete="off"
              onChange={(e) => onChange({ ...value, keysLocation: e.target.value })}
            />
          </label>
        </div>
      ) : null}
      {note === null ? null : <p role="status">{note}</p>}
      {problems === null || problems.general.length === 0 ? null : (
        <ul className="field-error" data-testid="checks-general-errors">
          {problems.general.map((g) => (
            <li key={g}>{g}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
