/** Which oracle API the deal tasks ask: --oracle, else DEALPROOF_ORACLE_URL, else the local default. */
import { userError } from "./user-error.ts";

const LOCAL_ORACLE_URL = "http://127.0.0.1:8080";

export function oracleUrl(option: string): string {
  const url = option !== "" ? option : (process.env.DEALPROOF_ORACLE_URL ?? LOCAL_ORACLE_URL);
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw userError(`--oracle must be the oracle API's http(s) URL, like ${LOCAL_ORACLE_URL}; got "${url}"`);
  return url;
}
