export { encrypt as default } from "./dataset.ts";
