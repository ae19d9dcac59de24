// Small browser helpers the console calls through JS interop, and the Blazor start. No inline scripts (the CSP
// forbids them), so Blazor is started here: blazor.web.js is loaded with autostart="false" (App.razor).
window.openKcm = {
  copyText: async (text) => {
    await navigator.clipboard.writeText(text);
    return true;
  },
};

// The NOC wall display (/noc) recovers by itself, with nobody at the screen to click "reload":
// - when the connection to the console drops (network loss, server restart) it shows "stale since HH:MM:SS"
//   over the page and keeps retrying, without the limit of the default handler;
// - when the server answers again but no longer knows the circuit (it restarted), it reloads the page once the
//   server serves it, which starts a new circuit with a fresh snapshot.
// Every other page keeps Blazor's default reconnection UI and limits: the handler below delegates to it.
window.openKcm.noc = (() => {
  const minRetryMs = 1000;
  const maxRetryMs = 5000;
  let down = false;
  let downSince = null;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const isNocPage = () => document.querySelector('[data-noc-page]') !== null;
  const utcTime = (date) => `${date.toISOString().substring(11, 19)} UTC`;

  const showStale = () => {
    const overlay = document.getElementById('noc-connection-lost');
    if (overlay) {
      overlay.textContent = `Stale since ${utcTime(downSince)}: the connection to the console was lost. Reconnecting…`;
      overlay.hidden = false;
    }
  };

  const hideStale = () => {
    const overlay = document.getElementById('noc-connection-lost');
    if (overlay) {
      overlay.hidden = true;
      overlay.textContent = '';
    }
  };

  // Resolves once the server answers a plain request for this page (any status below 500; a redirect to the
  // sign-in page counts: the reload then shows it).
  const waitForServer = async () => {
    for (let delay = minRetryMs; ; delay = Math.min(delay * 2, maxRetryMs)) {
      try {
        const response = await fetch(window.location.href, { cache: 'no-store', credentials: 'same-origin', redirect: 'manual' });
        if (response.type === 'opaqueredirect' || response.status < 500) {
          return;
        }
      } catch {
        // Not answering yet.
      }
      await sleep(delay);
    }
  };

  const onConnectionDown = async () => {
    if (down) {
      return;
    }
    down = true;
    downSince = new Date();
    showStale();
    for (let delay = minRetryMs; down; delay = Math.min(delay * 2, maxRetryMs)) {
      await sleep(delay);
      if (!down) {
        return;
      }
      try {
        if (await window.Blazor.reconnect()) {
          return; // onConnectionUp has hidden the overlay.
        }
        // The server is back but the circuit is gone: start over with a new page.
        await waitForServer();
        window.location.reload();
        return;
      } catch {
        // The server is not answering yet: keep trying.
      }
    }
  };

  const onConnectionUp = () => {
    down = false;
    hideStale();
  };

  return {
    isActive: () => down,
    handler: {
      onConnectionDown: (options, error) => isNocPage() || down
        ? onConnectionDown()
        : window.Blazor.defaultReconnectionHandler.onConnectionDown(options, error),
      onConnectionUp: () => {
        onConnectionUp();
        window.Blazor.defaultReconnectionHandler.onConnectionUp();
      },
    },
  };
})();

window.Blazor.start({
  circuit: {
    reconnectionHandler: window.openKcm.noc.handler,
  },
});
