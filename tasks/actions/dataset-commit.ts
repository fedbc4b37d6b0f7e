export { commit as default } from "./dataset.ts";
