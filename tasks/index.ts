/**
 * Every Hardhat task of the project. Each area keeps its tasks in its own file;
 * actions are lazy-loaded so `hardhat --help` stays fast.
 */
import { contractTasks } from "./contracts.ts";
import { teeTasks } from "./tee.ts";
import { dataTasks } from "./data.ts";
import { dealTasks } from "./deals.ts";
import { phalaTasks } from "./phala.ts";
import { withPlainErrors } from "./actions/user-error.ts";

/** Each task shows its expected failures as a message and a hint, never a stack. */
export const tasks = [...contractTasks, ...teeTasks, ...dataTasks, ...dealTasks, ...phalaTasks].map(
  withPlainErrors,
);
