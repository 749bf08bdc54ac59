/** Link (<a href>, <area href>) collection during the streaming scan. */

export interface RawAnchor {
  /** The href attribute as written (entity-decoded). */
  href: string;
  /** Text content so far, excluding script/style/noscript/template, not collapsed. */
  text: string;
  rel: string | null;
  tag: 'a' | 'area';
}

interface Open {
  anchor: RawAnchor | null;
  templateDepth: number;
}

export class AnchorTracker {
  private cur: Open | null = null;
  private skip = 0;

  constructor(private readonly out: RawAnchor[]) {}

  /** An <a> start tag: closes the <a> already open (HTML's adoption agency does the same). */
  open(href: string | null, rel: string | null, templateDepth: number): void {
    this.close();
    const anchor = href === null ? null : { href, text: '', rel, tag: 'a' as const };
    if (anchor) this.out.push(anchor);
    this.cur = { anchor, templateDepth };
  }

  area(href: string, rel: string | null): void {
    this.out.push({ href, text: '', rel, tag: 'area' });
  }

  /** Whether text at this template depth would be appended to an open anchor. */
  wantsText(templateDepth: number): boolean {
    const cur = this.cur;
    return cur !== null && cur.anchor !== null && this.skip === 0 && templateDepth === cur.templateDepth;
  }

  text(s: string, templateDepth: number): void {
    const cur = this.cur;
    if (cur?.anchor && this.skip === 0 && templateDepth === cur.templateDepth) cur.anchor.text += s;
  }

  close(): void {
    this.cur = null;
    this.skip = 0;
  }

  templateClosed(depth: number): void {
    if (this.cur && this.cur.templateDepth > depth) this.close();
  }

  skipOpen(): void {
    if (this.cur) this.skip++;
  }

  skipClose(): void {
    if (this.skip > 0) this.skip--;
  }

  finish(): void {
    this.close();
  }
}
