/** The pure parts of the plate pipeline, checked on hand-made inputs (no model needed). */
import { expect } from 'chai';
import { boxesFromProbabilityMap, detectionInputSize, DEFAULT_DETECTION_OPTIONS, toImageRegion } from '../../../src/workers/inference/detection.ts';
import { sampleQuad, type RgbImage } from '../../../src/workers/inference/image.ts';
import { areStackedRows, carPlateFrom, motorbikePlateFrom, plateCandidates, type ReadLine } from '../../../src/workers/inference/plate-selection.ts';
import { motorbikeRowSplit } from '../../../src/workers/inference/reader.ts';
import { ctcDecode, packLines, plateClassMask, PACK_GAP, REC_MIN_WIDTH, recognitionWidth } from '../../../src/workers/inference/recognition.ts';

function line(text: string, cx: number, cy: number, width = 100, height = 30): ReadLine {
  return { text, probabilities: [...text].map(() => 0.9), centre: { x: cx, y: cy }, width, height, corners: [{ x: cx - width / 2, y: cy - height / 2 }, { x: cx + width / 2, y: cy + height / 2 }] };
}

describe('plate pipeline parts', () => {
  it('sizes detection input to multiples of 32 with the longest side capped', () => {
    expect(detectionInputSize(1280, 720, 960)).to.deep.equal({ width: 960, height: 544 });
    expect(detectionInputSize(200, 100, 960)).to.deep.equal({ width: 192, height: 96 });
    expect(detectionInputSize(10, 10, 960)).to.deep.equal({ width: 32, height: 32 });
  });

  it('turns a tilted blob of probability into one rotated, unclipped box', () => {
    const w = 200;
    const h = 100;
    const map = new Float32Array(w * h);
    const angle = (10 * Math.PI) / 180;
    // A 80×10 bar centred at (100, 50), tilted 10°.
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const dx = x + 0.5 - 100;
        const dy = y + 0.5 - 50;
        const u = dx * Math.cos(angle) + dy * Math.sin(angle);
        const v = -dx * Math.sin(angle) + dy * Math.cos(angle);
        if (Math.abs(u) <= 40 && Math.abs(v) <= 5) map[y * w + x] = 0.9;
      }
    map[5] = 0.9; // a lone speck: below the minimum area
    const boxes = boxesFromProbabilityMap(map, w, h, DEFAULT_DETECTION_OPTIONS);
    expect(boxes).to.have.length(1);
    const box = boxes[0]!;
    expect(Math.atan2(box.u.y, box.u.x) * (180 / Math.PI)).to.be.closeTo(10, 1.5);
    expect(box.centre.x).to.be.closeTo(100, 1.5);
    expect(box.centre.y).to.be.closeTo(50, 1.5);
    const d = (80 * 10 * 1.5) / (2 * 90);
    expect(box.width).to.be.closeTo(80 + 2 * d, 3);
    expect(box.height).to.be.closeTo(10 + 2 * d, 3);
    const region = toImageRegion(box, 2, 2, 400, 200);
    expect(region.centre.x).to.be.closeTo(200, 3);
    expect(region.topRight.y).to.be.lessThan(region.bottomRight.y);
    expect(region.topRight.x).to.be.greaterThan(region.topLeft.x);
  });

  it('drops regions whose mean probability is below the box threshold', () => {
    const map = new Float32Array(50 * 20).fill(0.45);
    expect(boxesFromProbabilityMap(map, 50, 20, DEFAULT_DETECTION_OPTIONS)).to.have.length(0);
  });

  it('samples an axis-aligned quad exactly and a rotated one by bilinear interpolation', () => {
    const image: RgbImage = { width: 4, height: 2, data: Uint8Array.from([...Array(8).keys()].flatMap((i) => [i * 10, 0, 255])) };
    const same = sampleQuad(image, { x: 0, y: 0 }, { x: 4, y: 0 }, { x: 0, y: 2 }, 4, 2);
    expect([...same.data]).to.deep.equal([...image.data]);
    // Half a pixel to the right: each value is the mean of two neighbours (the last clamps at the edge).
    const shifted = sampleQuad(image, { x: 0.5, y: 0 }, { x: 4.5, y: 0 }, { x: 0.5, y: 2 }, 4, 1);
    expect([0, 1, 2, 3].map((i) => shifted.data[i * 3])).to.deep.equal([5, 15, 25, 30].map((v) => v + 20));
  });

  it('packs short lines side by side and keeps long lines on their own', () => {
    const rows = packLines([130, 130, 216, 700]);
    expect(rows[0]).to.deep.equal({ width: 700, items: [{ line: 3, x: 0, width: 700 }] });
    const narrow = rows.slice(1);
    expect(narrow.every((r) => r.width === REC_MIN_WIDTH)).to.equal(true);
    for (const r of narrow) expect(r.items.reduce((s, i) => s + i.width, 0) + PACK_GAP * (r.items.length - 1)).to.be.at.most(REC_MIN_WIDTH);
    expect(narrow.flatMap((r) => r.items.map((i) => i.line)).sort()).to.deep.equal([0, 1, 2]);
    expect(recognitionWidth(300, 100)).to.equal(144);
  });

  it('masks the dictionary to plate characters, folding full-width forms', () => {
    const mask = plateClassMask(['中', 'Ａ', 'A', 'I', '８', '①', '-', '．'], '0123456789ABCDEFGHKLMNPSTUVXYZ-.');
    expect(mask.characters).to.deep.equal(['', 'A', 'A', '8', '-', '.']);
    expect([...mask.classes]).to.deep.equal([0, 2, 3, 5, 7, 8]);
  });

  it('decodes CTC greedily over allowed classes, dropping blanks and repeats', () => {
    const mask = plateClassMask(['3', '0', 'I', 'A'], '0123456789ABCDEFGHKLMNPSTUVXYZ-.');
    const classes = 5;
    // steps: 3, 3, blank, 3, 0, I (masked: A, its runner-up, is taken), blank
    const steps = [1, 1, 0, 1, 2, 3, 0];
    const probs = new Float32Array(steps.length * classes);
    steps.forEach((c, t) => {
      probs[t * classes + c] = 0.8;
      if (c === 3) probs[t * classes + 4] = 0.15;
    });
    const out = ctcDecode(probs, steps.length, classes, mask);
    expect(out.map((c) => c.char).join('')).to.equal('330A');
    expect(out[3]!.probability).to.be.closeTo(0.15, 1e-6);
  });

  it('chooses the plate among text lines by the Vietnamese patterns', () => {
    expect(carPlateFrom(line('30A-12345', 0, 0))?.plate.text).to.equal('30A-123.45');
    expect(carPlateFrom(line('3OA-I2345', 0, 0))?.plate.text).to.equal('30A-123.45'); // letters in digit positions are fixed
    expect(carPlateFrom(line('SALE50', 0, 0))).to.equal(undefined);
    expect(carPlateFrom(line('30812345', 0, 0))?.plate.text).to.equal('30B-123.45'); // position 2 must be a letter
    // The dash tells where the series ends: a 4-digit serial after a two-letter series stays as read.
    expect(carPlateFrom(line('30AB-1234', 0, 0))?.plate.text).to.equal('30AB-1234');
    expect(carPlateFrom(line('3OA8-I234', 0, 0))?.plate.text).to.equal('30AB-1234');
    // A motorbike series' second character may be a letter or a digit: kept as read; the bottom row is digits.
    expect(motorbikePlateFrom(line('12-NB', 0, 0), line('I728', 0, 35))?.plate.text).to.equal('12-NB 1728');
    expect(motorbikePlateFrom(line('I2-N8', 0, 0), line('1728', 0, 35))?.plate.text).to.equal('12-N8 1728');
    expect(motorbikePlateFrom(line('128B', 0, 0), line('1728', 0, 35))?.plate.text).to.equal('12-BB 1728');
    const top = line('29-HA', 200, 100);
    const bottom = line('002.33', 200, 135);
    expect(areStackedRows(top, bottom)).to.equal(true);
    expect(areStackedRows(bottom, top)).to.equal(false);
    expect(motorbikePlateFrom(top, bottom)?.plate.text).to.equal('29-HA 002.33');
    const found = plateCandidates([line('HOTLINE', 50, 20, 200), line('0912345678', 50, 60, 200), top, bottom]);
    expect(found.map((c) => c.plate.text)).to.deep.equal(['29-HA 002.33']);
    expect(plateCandidates([top, bottom], 'car')).to.deep.equal([]);
    // Rows far apart are not one plate.
    expect(plateCandidates([top, line('002.33', 600, 400)])).to.deep.equal([]);
  });

  it('reads temporary and foreign layouts, and weighs the series with the model\'s probabilities', () => {
    expect(carPlateFrom(line('T30A-12345', 0, 0))?.plate.text).to.equal('T30A-123.45');
    expect(carPlateFrom(line('41-291-NG-01', 0, 0))?.plate.text).to.equal('41-291-NG-01');
    expect(motorbikePlateFrom(line('T30', 0, 0), line('123.45', 0, 35))?.plate.text).to.equal('T30-123.45');
    expect(motorbikePlateFrom(line('41-291', 0, 0), line('NG-01', 0, 35))?.plate.text).to.equal('41-291-NG-01');
    // A foreign plate that lost a series letter is not an ordinary plate with the dashes ignored.
    expect(carPlateFrom(line('41-291-0-01', 0, 0))).to.equal(undefined);
    // D read where the model also saw Q: DT and QT are both valid, so the reading is in doubt and names QT.
    const steps = [...'29DT-12345'].map((ch) => ({ [ch]: 0.98 }));
    steps[2] = { D: 0.55, Q: 0.4 };
    const doubtful = carPlateFrom({ ...line('29DT-12345', 0, 0), alternatives: steps });
    expect(doubtful?.plate.text).to.equal('29DT-123.45');
    expect(doubtful?.confidence).to.be.below(0.6);
    expect(doubtful?.alternatives).to.deep.equal(['29QT-123.45']);
    // The camera said white-red: only NG/QT can be on it, so QT is the reading and DT is not proposed.
    const hinted = carPlateFrom({ ...line('29DT-12345', 0, 0), alternatives: steps }, { colour: 'white-red' });
    expect(hinted?.plate.text).to.equal('29QT-123.45');
    expect(hinted?.alternatives).to.deep.equal([]);
    // A foreign series that is no series (DT) is the one valid series one letter away (QT).
    const foreignSteps = [...'41-291-DT-01'].map((ch) => ({ [ch]: 0.98 }));
    foreignSteps[7] = { D: 0.7, Q: 0.2 };
    expect(carPlateFrom({ ...line('41-291-DT-01', 0, 0), alternatives: foreignSteps })?.plate.text).to.equal('41-291-QT-01');
    // A T the decoder dropped before the first character makes the ordinary reading doubtful.
    const dropped = carPlateFrom({ ...line('30A-12345', 0, 0), leading: { T: 0.4 } });
    expect(dropped?.plate.text).to.equal('30A-123.45');
    expect(dropped?.confidence).to.be.closeTo(0.6, 0.01);
    expect(dropped?.alternatives).to.deep.equal(['T30A-123.45']);
  });

  it('splits a two-row plate at the emptiest row near mid-height', () => {
    const width = 40;
    const height = 40;
    const data = new Uint8Array(width * height * 3).fill(230);
    const ink = (y0: number, y1: number) => {
      for (let y = y0; y < y1; y++) for (let x = 8; x < 32; x++) data.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
    };
    ink(4, 17);
    ink(20, 36);
    const split = motorbikeRowSplit({ data, width, height });
    expect(split).to.be.within(17, 19);
  });
});
