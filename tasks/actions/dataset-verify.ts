export { verify as default } from "./dataset.ts";
