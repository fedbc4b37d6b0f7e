#!/usr/bin/env node
/** The local entry point (`npm run oracle`, which loads `.env` if present): the simulated TEE or dstack. */
import { runOracleProcess } from "../main/run.ts";
import { startLocalOracle } from "./oracle.ts";

await runOracleProcess((cfg) => startLocalOracle(cfg));
