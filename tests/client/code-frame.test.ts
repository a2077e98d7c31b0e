import { describe, expect, it } from "vitest";
import { codeFrame } from "@/lib/yaml-view/code-frame";

describe("code frame", () => {
  const text = "version: 1\ntasks:\n  a:\n    name: A\n    schedule: \"61 * * * *\"\n    command: x\n";
  it("takes two lines either side of the error and keeps the column", () => {
    expect(codeFrame(text, 5, 15)).toEqual({
      lines: [
        { number: 3, text: "  a:", target: false },
        { number: 4, text: "    name: A", target: false },
        { number: 5, text: '    schedule: "61 * * * *"', target: true },
        { number: 6, text: "    command: x", target: false },
        { number: 7, text: "", target: false },
      ],
      column: 15,
    });
  });
  it("stops at the file's edges and refuses positions outside it", () => {
    expect(codeFrame(text, 1, 1)!.lines.map((l) => l.number)).toEqual([1, 2, 3]);
    expect(codeFrame(text, 0, 0)).toBeNull();
    expect(codeFrame(text, 99, 1)).toBeNull();
    expect(codeFrame("a\r\nb\r\n", 2, 1)!.lines.map((l) => l.text)).toEqual(["a", "b", ""]);
  });
});
