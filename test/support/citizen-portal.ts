/**
 * Helpers for the citizen portal specs: register a demo case's plate in the registry stand-in with a
 * certificate, and give a case the privacy copy the media worker would make (the worker role is off in these
 * nodes, so the same `deriveMedia` and `DeriveEvidence` command run here).
 */
import { recordDerivedEvidence } from '../../src/commands/cases.ts';
import { plateKey } from '../../src/domain/case/plate-key.ts';
import type { RunningNode } from '../../src/node/index.ts';
import type { StandInRegistry } from '../../src/adapters/registry/stand-in.ts';
import { deriveMedia } from '../../src/workers/media/derive.ts';
import { evidenceDerivedFields } from '../../src/workers/media/derived-item.ts';

interface DetectionData {
  detection: { plateRead: { text: string }; vehicleClass: string; evidence: { digest: string; mediaType: string }[] };
  province: string;
}

export async function detectionOf(node: RunningNode, caseId: string): Promise<DetectionData> {
  const [detected] = await node.store.readStream(`case-${caseId}`, { maxCount: 1 });
  return detected!.record.data as unknown as DetectionData;
}

/** Registers the plate of the case's detection with `certificate`; returns the plate as the camera read it. */
export async function registerHolder(node: RunningNode, registry: StandInRegistry, caseId: string, certificate: string, ref: string): Promise<string> {
  const { detection } = await detectionOf(node, caseId);
  registry.add({
    plate: plateKey(detection.plateRead.text),
    registrationNumber: certificate,
    vehicleClass: detection.vehicleClass,
    owner: { ref, kind: 'individual', name: 'Nguyễn Văn Thử', address: '12 Kim Mã, Hà Nội', email: 'thu@example.invalid', phone: '+84910000001' },
  });
  return detection.plateRead.text;
}

/** Makes and records the privacy copy of the case's first image (everything but a central box pixelated). */
export async function addPrivacyCopy(node: RunningNode, caseId: string): Promise<string> {
  const { detection, province } = await detectionOf(node, caseId);
  const original = detection.evidence.find((e) => e.mediaType.startsWith('image/'))!;
  const bytes = await node.evidence.getBytes(original.digest);
  const items = await deriveMedia(bytes, { privacy: { keepBoxes: [{ x: 8, y: 8, width: 32, height: 24 }] } });
  const privacy = items.find((i) => i.role === 'privacy')!;
  await node.evidence.put(privacy.bytes, { expectedDigest: privacy.digest });
  const { bytes: _bytes, ...item } = privacy;
  void _bytes;
  await recordDerivedEvidence(node.commandDeps, { actor: { kind: 'service', id: 'media-worker' }, province }, { caseId, ...evidenceDerivedFields(item) });
  return privacy.digest;
}
