import { useEffect, useState } from 'preact/hooks';

/** Client routes under /console/ (the service answers index.html for each). */

export const BASE = '/console';

export function currentRoute(): string {
  const p = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

const listeners = new Set<() => void>();

export function navigate(route: string): void {
  window.history.pushState(null, '', `${BASE}${route}`);
  listeners.forEach((l) => l());
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A link to a client route: a real href (opens in a new tab), navigates in place on a plain click. */
export function linkProps(route: string) {
  return {
    href: `${BASE}${route}`,
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(route);
    },
  };
}
