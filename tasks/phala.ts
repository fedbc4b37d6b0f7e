import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

export const phalaTasks: NewTaskDefinition[] = [
  task(
    "phala:app-compose",
    "Pin the image digest into docker-compose.yml, write the app-compose.json dstack receives, print its compose hash",
  )
    .addOption({
      name: "image",
      description: "The pushed oracle image by digest: registry/name@sha256:<64 hex>",
      defaultValue: "",
    })
    .addOption({ name: "compose", description: "The compose template", defaultValue: "docker-compose.yml" })
    .addOption({
      name: "name",
      description: "The app's name on Phala Cloud",
      defaultValue: "dealproof-oracle",
    })
    .addOption({
      name: "out",
      description: "Where to write app-compose.json",
      defaultValue: "app-compose.json",
    })
    .addFlag({ name: "publicLogs", description: "Make the CVM's logs public (part of the measured compose)" })
    .addFlag({ name: "force", description: "Replace an existing --out file" })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./actions/phala-app-compose.ts"))
    .build(),
];
