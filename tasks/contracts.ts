import { task } from "hardhat/config";
import type { NewTaskDefinition } from "hardhat/types/tasks";

export const contractTasks: NewTaskDefinition[] = [
  task(
    "deploy",
    "Deploy DealProof (and the simulated verifier on local chains); writes deployments/<network>.json",
  )
    .addOption({
      name: "verifierKind",
      description: "simulated | automata (default: simulated on chain 31337/1337, automata elsewhere)",
      defaultValue: "",
    })
    .addOption({
      name: "verifier",
      description: "DCAP verifier address for automata (default: Automata on Sepolia)",
      defaultValue: "",
    })
    .addOption({
      name: "ttl",
      description: "Oracle registration lifetime in seconds",
      defaultValue: "604800",
    })
    .addOption({
      name: "attestationKey",
      description: "Comma-separated 64-byte P-256 keys (x‖y hex) the simulated verifier accepts",
      defaultValue: "",
    })
    .addOption({
      name: "measurement",
      description: "Comma-separated measurement ids to allow",
      defaultValue: "",
    })
    .addOption({
      name: "seedFile",
      description:
        "Local chains without --attestation-key: trust this simulator seed's attestation key and measurement",
      defaultValue: ".dealproof/simulator-seed",
    })
    .addFlag({ name: "json", description: "Print the deployment as JSON" })
    .setAction(() => import("./actions/deploy.ts"))
    .build(),
];
