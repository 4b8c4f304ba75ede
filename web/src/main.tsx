// The browser app of `facecluster serve`: People, Person (and the unsorted / ignored faces), Review, Photo.
import { render } from 'preact';
import { LocationProvider, Router, Route } from 'preact-iso';
import { PeoplePage } from './people-page.tsx';
import { PersonPage } from './person-page.tsx';
import { PhotoPage } from './photo-page.tsx';
import { ReviewPage } from './review-page.tsx';
import './app.css';

// The token came in the URL; the server has set its cookie, so the address bar (and bookmarks, screenshots) can
// drop it.
if (new URLSearchParams(location.search).has('token')) {
  const url = new URL(location.href);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

function NotFound() {
  return <p>No such page. <a href="/">People</a></p>;
}

function App() {
  return (
    <LocationProvider>
      <header><a href="/" class="brand">facecluster</a><nav><a href="/">People</a><a href="/review">Review</a></nav></header>
      <main>
        <Router>
          <Route path="/" component={PeoplePage} />
          <Route path="/person/:id" component={PersonPage} />
          <Route path="/group/:name" component={PersonPage} />
          <Route path="/review" component={ReviewPage} />
          <Route path="/photo" component={PhotoPage} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
