import { describe, expect, it } from "vitest";
import { renderIndexHtml } from "../../src/web/page/html.js";

describe("the page's HTML", () => {
  it("carries the home's zone so times show in it, not the browser's", () => {
    expect(renderIndexHtml(undefined, "Europe/London")).toContain('<body data-time-zone="Europe/London">');
  });

  it("leaves out a zone that is not an IANA name rather than put it in the markup", () => {
    const html = renderIndexHtml(undefined, 'x" onload="alert(1)');
    expect(html).toContain("<body>");
    expect(html).not.toContain("onload");
  });
});
