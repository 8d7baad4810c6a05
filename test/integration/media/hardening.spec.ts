import { expect } from 'chai';
import sharp from 'sharp';
import { AppError } from '../../../src/domain/shared/errors.ts';
import {
  deriveMedia,
  ImageTooLargeError,
  openSourceImage,
  plateCrop,
  thumbnail,
  UnsupportedImageError,
} from '../../../src/workers/media/index.ts';
import { expectRejects } from './support/assert.ts';
import { decode, jpegBomb, pixel, pngBomb, sceneJpeg } from './support/images.ts';

describe('media intake hardening (real sharp)', () => {
  describe('decompression bombs and limits', () => {
    it('refuses a tiny PNG whose header claims 50000×50000 pixels, before decoding', async () => {
      const bomb = pngBomb(50_000, 50_000);
      expect(bomb.length).to.be.below(100);
      const error = await expectRejects(deriveMedia(bomb), ImageTooLargeError);
      expect((error as AppError).category).to.equal('too_large');
    });

    it('refuses a small JPEG whose frame header claims 50000×50000 pixels', async () => {
      const bomb = await jpegBomb(50_000, 50_000);
      await expectRejects(thumbnail(bomb), ImageTooLargeError);
    });

    it('applies a configured pixel and byte limit', async () => {
      const scene = await sceneJpeg();
      await expectRejects(
        deriveMedia(scene, { limits: { maxBytes: 32 * 1024 * 1024, maxPixels: 1280 * 720 - 1 } }),
        ImageTooLargeError,
      );
      await expectRejects(
        deriveMedia(scene, { limits: { maxBytes: scene.length - 1, maxPixels: 40_000_000 } }),
        ImageTooLargeError,
      );
      const items = await deriveMedia(scene, { limits: { maxBytes: scene.length, maxPixels: 1280 * 720 } });
      expect(items).to.have.length(1);
    });
  });

  describe('accepted formats', () => {
    it('takes WebP, PNG with alpha (flattened on white) and 16-bit PNG, giving 8-bit sRGB JPEG copies', async () => {
      const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#204080' } })
        .webp({ lossless: true })
        .toBuffer();
      const alpha = await sharp({
        create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
      })
        .png()
        .toBuffer();
      const deep = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c08040' } })
        .png()
        .toColourspace('rgb16')
        .toBuffer();
      expect((await sharp(deep).metadata()).depth).to.equal('ushort');
      const expected: Array<[Buffer, [number, number, number]]> = [
        [webp, [0x20, 0x40, 0x80]],
        [alpha, [255, 255, 255]],
        [deep, [0xc0, 0x80, 0x40]],
      ];
      for (const [bytes, rgb] of expected) {
        const item = await plateCrop(bytes, { x: 16, y: 16, width: 16, height: 16 }, { padding: 0 });
        const crop = await decode(item.bytes);
        expect((await sharp(item.bytes).metadata()).format).to.equal('jpeg');
        pixel(crop, 8, 8).forEach((v, i) => expect(Math.abs(v - rgb[i]!)).to.be.at.most(6));
      }
    });
  });

  describe('unsupported and corrupt files', () => {
    const cases: Array<[string, () => Promise<Buffer> | Buffer]> = [
      ['empty', () => Buffer.alloc(0)],
      ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
      ['text', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
      [
        'a GIF',
        () =>
          sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
            .gif()
            .toBuffer(),
      ],
      [
        'a TIFF',
        () =>
          sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
            .tiff()
            .toBuffer(),
      ],
      [
        'a JPEG cut in half',
        async () => {
          const jpeg = await sceneJpeg();
          return jpeg.subarray(0, jpeg.length >> 1);
        },
      ],
      [
        'a JPEG signature on garbage',
        () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x41)]),
      ],
      [
        'a PNG signature in front of a JPEG',
        async () =>
          Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), await sceneJpeg()]),
      ],
      [
        'a PNG with a corrupt IDAT',
        async () => {
          const png = Buffer.from(
            await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
              .png()
              .toBuffer(),
          );
          const idat = png.indexOf('IDAT');
          for (let i = idat + 6; i < idat + 30; i++) png[i] = 0xaa;
          return png;
        },
      ],
    ];
    for (const [name, make] of cases) {
      it(`refuses ${name} with UnsupportedImageError`, async () => {
        const error = await expectRejects(deriveMedia(await make()), UnsupportedImageError);
        expect((error as AppError).category).to.equal('validation');
      });
    }

    it('refuses things that are not bytes at all', async () => {
      for (const value of [undefined, null, 'image.jpg', 42, {}, [1, 2, 3]]) {
        await expectRejects(openSourceImage(value as never), UnsupportedImageError);
      }
    });

    it('keeps working after many hostile inputs (no crash, no poisoned state)', async () => {
      const hostile = [pngBomb(60_000, 60_000), Buffer.from('garbage'), await jpegBomb(65_000, 65_000)];
      for (let i = 0; i < 30; i++) await expectRejects(deriveMedia(hostile[i % hostile.length]!), AppError);
      expect(await deriveMedia(await sceneJpeg())).to.have.length(1);
    });
  });

  describe('orientation and metadata', () => {
    /** Stored landscape 200×100, left half red and right half blue, tagged EXIF orientation 6 (rotate 90° clockwise). */
    async function rotatedJpeg(): Promise<Buffer> {
      const pixels = Buffer.alloc(200 * 100 * 3);
      for (let y = 0; y < 100; y++)
        for (let x = 0; x < 200; x++) pixels.set(x < 100 ? [255, 0, 0] : [0, 0, 255], (y * 200 + x) * 3);
      return sharp(pixels, { raw: { width: 200, height: 100, channels: 3 } })
        .jpeg({ quality: 95 })
        .withMetadata({ orientation: 6 })
        .withExif({
          IFD0: { Copyright: 'test', Make: 'TestCam' },
          IFD3: {
            GPSLatitudeRef: 'N',
            GPSLatitude: '21/1 1/1 0/1',
            GPSLongitudeRef: 'E',
            GPSLongitude: '105/1 51/1 0/1',
          },
        })
        .toBuffer();
    }

    it('applies EXIF orientation, so boxes are in upright display coordinates', async () => {
      const original = await rotatedJpeg();
      expect((await sharp(original).metadata()).orientation).to.equal(6);
      const thumb = await thumbnail(original, { width: 50 });
      const meta = await sharp(thumb.bytes).metadata();
      expect([meta.width, meta.height]).to.deep.equal([50, 100]);
      expect(thumb.parameters.sourceOrientation).to.equal(6);
      // Upright, the left half of the stored image is on top.
      const top = await decode(
        (await plateCrop(original, { x: 10, y: 10, width: 80, height: 80 }, { padding: 0 })).bytes,
      );
      const bottom = await decode(
        (await plateCrop(original, { x: 10, y: 110, width: 80, height: 80 }, { padding: 0 })).bytes,
      );
      expect(pixel(top, 40, 40)[0]).to.be.above(200);
      expect(pixel(top, 40, 40)[2]).to.be.below(60);
      expect(pixel(bottom, 40, 40)[2]).to.be.above(200);
      expect(pixel(bottom, 40, 40)[0]).to.be.below(60);
    });

    it('strips EXIF (GPS included), XMP and ICC from every derived copy and no copy carries an orientation tag', async () => {
      const original = await rotatedJpeg();
      const source = await sharp(original).metadata();
      expect(source.exif, 'the test original carries EXIF').to.not.equal(undefined);
      expect(source.exif!.includes(Buffer.from('TestCam'))).to.equal(true);
      const items = await deriveMedia(original, {
        plate: { box: { x: 10, y: 10, width: 40, height: 40 } },
        caption: {
          time: '2026-11-24T09:00:05Z',
          place: 'Hà Nội',
          cameraId: 'cam-1',
          violation: { code: 'X', title: 'Thử' },
        },
        privacy: { keepBoxes: [{ x: 0, y: 0, width: 50, height: 50 }] },
      });
      expect(items).to.have.length(4);
      for (const item of items) {
        const meta = await sharp(item.bytes).metadata();
        expect(meta.exif, item.role).to.equal(undefined);
        expect(meta.xmp, item.role).to.equal(undefined);
        expect(meta.icc, item.role).to.equal(undefined);
        expect(meta.iptc, item.role).to.equal(undefined);
        expect(meta.orientation, item.role).to.equal(undefined);
        expect(item.bytes.includes(Buffer.from('Exif')), item.role).to.equal(false);
        expect(item.bytes.includes(Buffer.from('TestCam')), item.role).to.equal(false);
      }
    });
  });
});
