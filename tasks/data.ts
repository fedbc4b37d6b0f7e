import type { NewTaskDefinition } from "hardhat/types/tasks";

export const dataTasks: NewTaskDefinition[] = [];
