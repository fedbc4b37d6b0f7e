export { receive as default } from "./dataset.ts";
