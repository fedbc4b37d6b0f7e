/**
 * Every Hardhat task of the project. Each area keeps its tasks in its own file;
 * actions are lazy-loaded so `hardhat --help` stays fast.
 */
import { teeTasks } from "./tee.ts";
import { dataTasks } from "./data.ts";
import { dealTasks } from "./deals.ts";

export const tasks = [...teeTasks, ...dataTasks, ...dealTasks];
