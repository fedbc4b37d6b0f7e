import type { NewTaskDefinition } from "hardhat/types/tasks";

export const dealTasks: NewTaskDefinition[] = [];
