// The banner above the chart: an error (no model, API down) or a note (no price history).
import { byId } from "./dom.js";

export function showMessage(text, isError) {
  const box = byId("message");
  box.textContent = text;
  box.className = "message" + (isError ? " error" : "");
  box.hidden = !text;
}
