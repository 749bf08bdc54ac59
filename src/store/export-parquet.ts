/**
 * Parquet through hyparquet-writer (pure JavaScript, one dependency): rows are gathered into row groups of a
 * bounded size, and each finished group is handed to the sink before the next is read, so memory stays flat.
 */
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import type { Sink } from './export-sink.js';

/** A column's type in the file: SQLite's INTEGER and TEXT, plus booleans (0/1) and ISO timestamps. */
export type ColumnKind = 'int' | 'text' | 'bool' | 'timestamp';

export interface ExportColumn {
  name: string;
  kind: ColumnKind;
}

function schemaOf(columns: ExportColumn[]): SchemaElement[] {
  const root: SchemaElement = { name: 'root', num_children: columns.length };
  return [
    root,
    ...columns.map((c): SchemaElement => {
      const base = { name: c.name, repetition_type: 'OPTIONAL' as const };
      if (c.kind === 'int') return { ...base, type: 'INT64' };
      if (c.kind === 'bool') return { ...base, type: 'BOOLEAN' };
      if (c.kind === 'timestamp') return { ...base, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    }),
  ];
}

function convert(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'bool') return v !== 0 && v !== 0n;
  if (kind === 'timestamp') {
    const d = new Date(String(v));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (kind === 'int') return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
  return typeof v === 'string' ? v : String(v);
}

/** A ParquetWriter whose bytes go to the sink after each row group (awaiting its backpressure). */
export class ParquetSink {
  private readonly writer: ParquetWriter;
  private readonly bytes = new ByteWriter();
  private readonly columns: unknown[][];
  private rows = 0;

  constructor(
    private readonly cols: ExportColumn[],
    private readonly sink: Sink,
    private readonly rowGroupRows = 10_000,
  ) {
    const bw = this.bytes as ByteWriter & { index: number; flush: () => Promise<void> };
    bw.flush = async () => {
      if (bw.index === 0) return;
      const chunk = Buffer.from(bw.buffer.slice(0, bw.index));
      bw.index = 0;
      await sink.write(chunk);
    };
    // The writer's finish() returns what this returns: the last bytes' write, awaited by ParquetSink.finish.
    Object.assign(bw, { finish: () => bw.flush() });
    this.writer = new ParquetWriter({ writer: this.bytes, schema: schemaOf(cols), createdBy: 'metacrawl' });
    this.columns = cols.map(() => []);
  }

  /** Adds a row (values in column order); a full row group is written out before this resolves. */
  async add(row: unknown[]): Promise<void> {
    for (let i = 0; i < this.cols.length; i++) this.columns[i].push(convert(this.cols[i].kind, row[i]));
    if (++this.rows >= this.rowGroupRows) await this.flushGroup();
  }

  private async flushGroup(): Promise<void> {
    if (this.rows === 0) return;
    const columnData = this.cols.map((c, i) => ({ name: c.name, data: this.columns[i] }));
    await this.writer.write({ columnData, rowGroupSize: this.rows });
    for (const c of this.columns) c.length = 0;
    this.rows = 0;
  }

  async finish(): Promise<void> {
    await this.flushGroup();
    await this.writer.finish();
    await this.sink.end();
  }
}
