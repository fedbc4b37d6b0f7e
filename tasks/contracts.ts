import type { NewTaskDefinition } from "hardhat/types/tasks";

export const contractTasks: NewTaskDefinition[] = [];
