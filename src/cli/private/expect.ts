/* eslint-disable @typescript-eslint/no-explicit-any */
import * as fs from 'fs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { parse } from 'yaml';
import { UsageError } from './usage-error';
import { formatValue } from '../../private/errors';

/** A flow a team declares: `from` may reach `to` on `port`. */
export interface ExpectedFlow {
  /** `internet`, an IPv4 CIDR outside the VPC, a construct path or a logical id. */
  readonly from: string;
  readonly to: string;
  /** The port or range (TCP unless the entry says `udp`). */
  readonly port: ec2.Port;
  /** As written in the file, e.g. `tcp 443`. */
  readonly text: string;
}

const EXAMPLE = 'e.g. `- { from: internet, to: MyStack/LoadBalancer, port: 443 }` or `port: udp 53` or `port: 1024-65535`';

/**
 * Reads an expectations file (JSON or YAML): a list of `{ from, to, port }`, or an object whose
 * `flows` is that list. `port` is a number, `"443"`, `"8000-8010"`, or prefixed with the protocol
 * (`"tcp 443"`, `"udp 53"`); an entry may give `protocol: udp` instead.
 */
export function readExpectations(file: string): ExpectedFlow[] {
  if (!fs.existsSync(file)) throw new UsageError(`--expect: the file '${file}' does not exist. Give a JSON or YAML file listing the flows (${EXAMPLE}).`);
  let doc: any;
  try {
    doc = parse(fs.readFileSync(file, 'utf8')); // YAML is a superset of JSON
  } catch (e) {
    throw new UsageError(`--expect ${file}: not valid JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : doc?.flows;
  if (!Array.isArray(list)) {
    throw new UsageError(`--expect ${file}: expected a list of flows (or an object with a 'flows' list), got ${formatValue(doc)}. List them, ${EXAMPLE}.`);
  }
  return list.map((entry: any, i: number) => {
    const where = `--expect ${file}: flow ${i + 1}`;
    if (!entry || typeof entry !== 'object') throw new UsageError(`${where} must be an object with from, to and port, got ${formatValue(entry)}. ${EXAMPLE}.`);
    const unknownKeys = Object.keys(entry).filter((k) => !['from', 'to', 'port', 'protocol', 'description'].includes(k));
    if (unknownKeys.length) throw new UsageError(`${where} has unknown field(s) ${formatValue(unknownKeys)}. The fields are from, to, port, protocol (tcp or udp) and description.`);
    for (const k of ['from', 'to']) {
      if (typeof entry[k] !== 'string' || entry[k].trim() === '') {
        throw new UsageError(`${where}: ${k} must be 'internet', a CIDR, a construct path or a logical id, got ${formatValue(entry[k])}.`);
      }
    }
    const { port, text } = parsePort(entry.port, entry.protocol, where);
    return { from: entry.from.trim(), to: entry.to.trim(), port, text };
  });
}

function parsePort(value: unknown, protocol: unknown, where: string): { port: ec2.Port; text: string } {
  if (protocol !== undefined && protocol !== 'tcp' && protocol !== 'udp') {
    throw new UsageError(`${where}: protocol must be 'tcp' or 'udp', got ${formatValue(protocol)}. Leave it out for TCP.`);
  }
  const m = /^(?:(tcp|udp)\s+)?(\d+)(?:\s*-\s*(\d+))?$/i.exec(String(value ?? '').trim());
  const p0 = m ? Number(m[2]) : NaN;
  const p1 = m ? Number(m[3] ?? m[2]) : NaN;
  if (!m || (typeof value !== 'number' && typeof value !== 'string') || p0 < 0 || p1 > 65535 || p0 > p1) {
    throw new UsageError(`${where}: port must be a port or range within 0-65535, optionally prefixed with tcp or udp, got ${formatValue(value)}. ${EXAMPLE}.`);
  }
  const prefixed = m[1]?.toLowerCase();
  if (prefixed && protocol !== undefined && prefixed !== protocol) {
    throw new UsageError(`${where}: port says ${prefixed} but protocol says ${protocol}, got ${formatValue(value)}. Give the protocol once.`);
  }
  const udp = (prefixed ?? protocol) === 'udp';
  const port = udp ? (p0 === p1 ? ec2.Port.udp(p0) : ec2.Port.udpRange(p0, p1)) : (p0 === p1 ? ec2.Port.tcp(p0) : ec2.Port.tcpRange(p0, p1));
  return { port, text: `${udp ? 'udp' : 'tcp'} ${p0 === p1 ? p0 : `${p0}-${p1}`}` };
}
