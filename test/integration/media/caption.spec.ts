import { expect } from 'chai';
import sharp from 'sharp';
import {
  captionCopy,
  captionLines,
  escapeXml,
  formatLocalTime,
  InvalidMediaRequestError,
  parseCaption,
  type Caption,
} from '../../../src/workers/media/index.ts';
import { expectRejects } from './support/assert.ts';
import { decode, meanAbsDiff, sceneJpeg, SCENE, type Decoded } from './support/images.ts';

const CAPTION: Caption = {
  time: '2026-11-24T09:00:05Z',
  place: 'Ngã tư Láng Hạ – Thái Hà, Đống Đa, Hà Nội',
  cameraId: 'cam-29-0001',
  violation: { code: 'SPD-01', title: 'Chạy quá tốc độ quy định' },
  measuredSpeedKmh: 78,
  limitKmh: 60,
};

/** Pixels in rows [top, bottom) brighter than mid-grey: the text of the bar (its background is near black). */
function brightPixels(image: Decoded, top: number, bottom: number, left = 0): number {
  let n = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < image.width; x++) {
      const o = (y * image.width + x) * 3;
      if (image.data[o]! + image.data[o + 1]! + image.data[o + 2]! > 3 * 160) n++;
    }
  }
  return n;
}

describe('caption bar (real sharp, SVG text)', () => {
  let scene: Buffer;
  let sceneDecoded: Decoded;
  before(async () => {
    scene = await sceneJpeg();
    sceneDecoded = await decode(scene);
  });

  describe('text', () => {
    it('shows the instant in Vietnamese local time with the UTC offset', () => {
      expect(formatLocalTime('2026-11-24T09:00:05Z')).to.equal('24/11/2026 16:00:05 (UTC+07:00)');
      expect(formatLocalTime('2026-11-24T17:30:00.999Z')).to.equal('25/11/2026 00:30:00 (UTC+07:00)');
      expect(formatLocalTime('2026-11-24T09:00:00+02:00')).to.equal('24/11/2026 14:00:00 (UTC+07:00)');
      expect(formatLocalTime('2026-12-31t20:15:00-05:00')).to.equal('01/01/2027 08:15:00 (UTC+07:00)');
    });

    it('names the camera, place, violation, measured speed and limit', () => {
      const lines = captionLines(CAPTION);
      expect(lines).to.deep.equal([
        'Thời gian: 24/11/2026 16:00:05 (UTC+07:00)   Camera: cam-29-0001',
        'Địa điểm: Ngã tư Láng Hạ – Thái Hà, Đống Đa, Hà Nội',
        'Lỗi vi phạm: SPD-01 – Chạy quá tốc độ quy định',
        'Tốc độ đo được: 78 km/h   Tốc độ cho phép: 60 km/h',
      ]);
      const { measuredSpeedKmh: _m, limitKmh: _l, ...noSpeed } = CAPTION;
      expect(captionLines(noSpeed)).to.have.length(3);
    });

    it('escapes every XML-special character', () => {
      expect(escapeXml(`</text><image href="file:///etc/passwd"/>&amp;'`)).to.equal(
        '&lt;/text&gt;&lt;image href=&quot;file:///etc/passwd&quot;/&gt;&amp;amp;&apos;',
      );
    });

    it('refuses bad timestamps, controls, unpaired surrogates, over-long text and bad speeds', () => {
      const bad: Array<Partial<Record<keyof Caption, unknown>>> = [
        { time: '2026-11-24 09:00:05' },
        { time: '2026-11-24T09:00:05' },
        { time: '2026-02-30T09:00:05Z' },
        { time: '2026-11-24T25:00:05Z' },
        { time: 1764000000 },
        { place: '' },
        { place: '   ' },
        { place: 'line\nbreak' },
        { place: 'bell\u0007' },
        { place: 'half \ud800 surrogate' },
        { place: 'x'.repeat(151) },
        { cameraId: 42 },
        { violation: null },
        { violation: { code: 'SPD-01' } },
        { measuredSpeedKmh: 78.5 },
        { limitKmh: -1 },
        { limitKmh: '60' },
      ];
      for (const change of bad) {
        expect(() => parseCaption({ ...CAPTION, ...change }), JSON.stringify(change)).to.throw(
          InvalidMediaRequestError,
        );
      }
      expect(() => parseCaption(null)).to.throw(InvalidMediaRequestError);
      expect(parseCaption({ ...CAPTION, place: '  Hà Nội  ' }).place).to.equal('Hà Nội');
    });
  });

  describe('burned-in copy', () => {
    it('appends a bar below the photo: taller image, photo unchanged, text drawn in the bar', async () => {
      const item = await captionCopy(scene, CAPTION);
      expect(item.role).to.equal('captioned');
      const copy = await decode(item.bytes);
      const barHeight = item.parameters.barHeight as number;
      expect(barHeight).to.be.above(40);
      expect(copy.width).to.equal(SCENE.width);
      expect(copy.height).to.equal(SCENE.height + barHeight);
      // The photo above the bar is the original (JPEG re-encoding aside).
      expect(
        meanAbsDiff(copy, sceneDecoded, { x: 0, y: 0, width: SCENE.width, height: SCENE.height - 16 }),
      ).to.be.below(6);
      // The bar has text: a meaningful number of bright pixels on the dark band, spread over four lines.
      const lineHeight = Math.floor(barHeight / 4);
      for (let line = 0; line < 4; line++) {
        const top = SCENE.height + line * lineHeight;
        expect(brightPixels(copy, top, top + lineHeight), `line ${line}`).to.be.above(200);
      }
      expect(item.parameters).to.include({
        time: CAPTION.time,
        shownTime: '24/11/2026 16:00:05 (UTC+07:00)',
        timeZone: 'Asia/Ho_Chi_Minh',
        place: CAPTION.place,
        cameraId: 'cam-29-0001',
        violationCode: 'SPD-01',
        measuredSpeedKmh: 78,
        limitKmh: 60,
        placement: 'below',
      });
    });

    it('renders XML-special characters in user text as text', async () => {
      const hostile = {
        ...CAPTION,
        place: `</text><image href="file:///etc/passwd"/><text>&amp; "quoted" 'single' <b>`,
        violation: { code: 'A&B<C>', title: ']]><!-- -->' },
      };
      const item = await captionCopy(scene, hostile);
      const copy = await decode(item.bytes);
      const barHeight = item.parameters.barHeight as number;
      const plain = await decode((await captionCopy(scene, CAPTION)).bytes);
      expect(copy.height).to.equal(plain.height);
      const lineHeight = Math.floor(barHeight / 4);
      // The place line carries text (the markup was drawn, not interpreted) and differs from the plain caption.
      expect(brightPixels(copy, SCENE.height + lineHeight, SCENE.height + 2 * lineHeight)).to.be.above(200);
      expect(
        meanAbsDiff(copy, plain, {
          x: 0,
          y: SCENE.height + lineHeight,
          width: SCENE.width,
          height: lineHeight,
        }),
      ).to.be.above(1);
      expect(item.parameters.place).to.equal(hostile.place);
    });

    it('renders Vietnamese diacritics as distinct glyphs', async () => {
      const render = async (place: string): Promise<Buffer> => {
        const item = await captionCopy(scene, { ...CAPTION, place });
        const copy = await decode(item.bytes);
        const lineHeight = Math.floor((item.parameters.barHeight as number) / 4);
        return sharp(copy.data, { raw: { width: copy.width, height: copy.height, channels: 3 } })
          .extract({ left: 0, top: SCENE.height + lineHeight, width: 600, height: lineHeight })
          .raw()
          .toBuffer();
      };
      const marked = await render('Đường Hồ Chí Minh');
      const bare = await render('Duong Ho Chi Minh');
      const otherMarks = await render('Đường Hỗ Chí Mính');
      expect(marked.equals(bare)).to.equal(false);
      expect(marked.equals(otherMarks)).to.equal(false);
    });

    it('truncates an over-wide line with an ellipsis instead of running off the image', async () => {
      const narrow = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#406080' } })
        .png()
        .toBuffer();
      const item = await captionCopy(narrow, { ...CAPTION, place: 'Đường '.repeat(24).trim() });
      const copy = await decode(item.bytes);
      expect(copy.width).to.equal(320);
      expect(copy.height).to.equal(200 + (item.parameters.barHeight as number));
      // Text stops before the right margin: nothing bright in the last 4 columns of the bar.
      expect(brightPixels(copy, 200, copy.height, 316)).to.equal(0);
      expect(brightPixels(copy, 200, copy.height)).to.be.above(200);
    });

    it('refuses an invalid caption before decoding', async () => {
      await expectRejects(
        captionCopy(Buffer.from('not an image'), { ...CAPTION, time: 'yesterday' }),
        InvalidMediaRequestError,
      );
    });
  });
});
