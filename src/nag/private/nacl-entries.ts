import { StackIndex } from './stack-index';
import { NaclEntryModel, NaclModel } from '../../model/template-model';

/** A NACL entry of the stack's network model, with its NACL. */
export interface ModelEntry {
  readonly acl: NaclModel;
  readonly entry: NaclEntryModel;
}

/** The network model's entry for a `AWS::EC2::NetworkAclEntry` of the stack (by its global id). */
export function modelEntry(index: StackIndex, id: string): ModelEntry | undefined {
  const byId = index.memo('model-nacl-entries', () => {
    const map = new Map<string, ModelEntry>();
    for (const acl of index.model.nacls.values()) for (const entry of acl.entries) map.set(entry.id, { acl, entry });
    return map;
  });
  return byId.get(id);
}

/** True when the entry's only unresolved value, if any, is its CIDR (kept as a symbol). */
export function isReadable(e: NaclEntryModel): boolean {
  return !e.unknown || e.symbol !== undefined;
}
