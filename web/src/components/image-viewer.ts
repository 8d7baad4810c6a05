/**
 * An evidence image with zoom and pan: mouse wheel or +/−/0 buttons to zoom, drag (or arrow keys when the
 * image has focus) to pan. The image is fetched with the caller's token and purpose and shown from a blob URL.
 * Given the plate box (`focus`, in the image's own pixels), the buttons and keys zoom around the plate: it is
 * brought to the centre and never grown past the viewport, so repeated `+` keeps the whole plate in view.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.ts';
import { useT } from '../lib/i18n.ts';

export interface ViewerHandle {
  zoom(factor: number): void;
  reset(): void;
}

/** A box in the image's own (natural, upright) pixels. */
export interface ImageBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function ImageViewer({ src, alt, handle, testid, focus }: { src: string | undefined; alt: string; handle?: { current: ViewerHandle | null }; testid?: string; focus?: ImageBox | undefined }) {
  const t = useT();
  const [view, setView] = useState({ scale: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const image = useRef<HTMLImageElement>(null);
  /**
   * The plate box at 100%, in layout pixels relative to the viewport's centre (the image is centred in the
   * viewport and scaled about its own centre), or undefined while the image has no size yet.
   */
  const focusAtFit = () => {
    const img = image.current;
    if (!focus || !img || !img.naturalWidth || !img.naturalHeight || !img.offsetWidth) return undefined;
    const kx = img.offsetWidth / img.naturalWidth;
    const ky = img.offsetHeight / img.naturalHeight;
    return {
      cx: (focus.x + focus.width / 2) * kx - img.offsetWidth / 2,
      cy: (focus.y + focus.height / 2) * ky - img.offsetHeight / 2,
      width: focus.width * kx,
      height: focus.height * ky,
    };
  };
  /** Buttons and keys: around the plate when there is one (centred, at most as large as the viewport), else the centre. */
  const zoomStep = (factor: number) => {
    const box = focusAtFit();
    const vp = viewport.current;
    if (!box || !vp) return zoom(factor);
    const fits = Math.min(vp.clientWidth / box.width, vp.clientHeight / box.height);
    setView((v) => {
      const scale = Math.min(8, Math.max(1, v.scale * factor), Math.max(1, fits));
      if (scale === 1) return { scale, x: 0, y: 0 };
      return { scale, x: -box.cx * scale, y: -box.cy * scale };
    });
  };
  /**
   * Zooms keeping one point of the viewport still (`at`, relative to the viewport's centre, which is the image's
   * transform origin): the point under the cursor for the wheel, so what the officer points at (the plate) stays
   * in view; the centre for the buttons and keys. Back at 100% the image is centred again.
   */
  const zoom = (factor: number, at: { x: number; y: number } = { x: 0, y: 0 }) =>
    setView((v) => {
      const scale = Math.min(8, Math.max(1, v.scale * factor));
      if (scale === 1) return { scale, x: 0, y: 0 };
      const k = scale / v.scale;
      return { scale, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k };
    });
  const reset = () => setView({ scale: 1, x: 0, y: 0 });
  useEffect(() => {
    if (handle) handle.current = { zoom: zoomStep, reset };
  });
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    zoom(e.deltaY < 0 ? 1.25 : 0.8, { x: e.clientX - box.left - box.width / 2, y: e.clientY - box.top - box.height / 2 });
  };
  const onKey = (e: KeyboardEvent) => {
    const step = 40;
    const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      setView((v) => ({ ...v, x: v.x + m[0], y: v.y + m[1] }));
    }
  };
  return html`<figure class="viewer">
    <div
      class="viewport"
      ref=${viewport}
      tabindex="0"
      role="img"
      aria-label=${alt}
      data-testid=${testid}
      onWheel=${onWheel}
      onKeyDown=${onKey}
      onPointerDown=${(e: PointerEvent) => {
        drag.current = { x: e.clientX, y: e.clientY };
        (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
      }}
      onPointerMove=${(e: PointerEvent) => {
        if (!drag.current) return;
        const dx = e.clientX - drag.current.x;
        const dy = e.clientY - drag.current.y;
        drag.current = { x: e.clientX, y: e.clientY };
        setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
      }}
      onPointerUp=${() => (drag.current = null)}
    >
      ${src
        ? html`<img ref=${image} src=${src} alt="" draggable=${false} style=${`transform: translate(${view.x}px, ${view.y}px) scale(${view.scale})`} />`
        : html`<span class="placeholder">${t('loading')}</span>`}
    </div>
    <figcaption class="row">
      <span>${alt}</span>
      <button type="button" onClick=${() => zoomStep(1.25)} aria-label=${t('zoomIn')}>+</button>
      <button type="button" onClick=${() => zoomStep(0.8)} aria-label=${t('zoomOut')}>−</button>
      <button type="button" onClick=${reset}>${t('zoomReset')}</button>
      <span aria-live="polite">${Math.round(view.scale * 100)}%</span>
    </figcaption>
  </figure>`;
}
