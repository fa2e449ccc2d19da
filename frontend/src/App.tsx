import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, type ReactElement } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useParams } from 'react-router-dom';
import { ApiError } from './api/client';
import { keys, useComponents, useDatasets, usePipeline, usePipelineVersions } from './api/hooks';
import { Toaster } from './components/toast';
import { CatalogPage } from './pages/CatalogPage';
import { ComponentPage } from './pages/ComponentPage';
import { DatasetsPage } from './pages/DatasetsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage, RouteError } from './pages/NotFoundPage';
import { PipelinesPage } from './pages/PipelinesPage';
import { RunsPage } from './pages/RunsPage';
import { SchedulesPage } from './pages/SchedulesPage';
import { SignOutPage } from './pages/SignOutPage';
import { Shell } from './pages/Shell';

// The canvas pages carry React Flow and the layout engine: load them when first opened.
const EditorPage = lazy(() => import('./pages/EditorPage').then((m) => ({ default: m.EditorPage })));
const RunPage = lazy(() => import('./pages/RunPage').then((m) => ({ default: m.RunPage })));
const DatasetPage = lazy(() => import('./pages/DatasetPage').then((m) => ({ default: m.DatasetPage })));

function withSuspense(element: ReactElement): ReactElement {
  return <Suspense fallback={<div className="splash">Loading…</div>}>{element}</Suspense>;
}

/**
 * The editor route: asks for the pipeline and the catalog as soon as the route is entered, with the same
 * queries the page makes, so they load while the page's code (React Flow, a chunk of its own) does,
 * instead of after it.
 */
function EditorRoute(): ReactElement {
  const { id } = useParams();
  const pipelineId = id ? Number(id) : null;
  usePipeline(pipelineId);
  usePipelineVersions(pipelineId);
  useComponents();
  useDatasets();
  return withSuspense(<EditorPage />);
}

function isClientError(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function makeQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, error) => !isClientError(error) && count < 2,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
    // A session that ends while the app is open: re-check who we are, and the shell sends us to sign in.
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.isAuth && query.queryKey[0] !== keys.me[0]) {
          void client.invalidateQueries({ queryKey: keys.me });
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: keys.me });
      },
    }),
  });
  return client;
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  { path: '/logout', element: <SignOutPage />, errorElement: <RouteError /> },
  {
    path: '/',
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/pipelines" replace /> },
      { path: 'catalog', element: <CatalogPage /> },
      { path: 'catalog/:id', element: <ComponentPage /> },
      { path: 'pipelines', element: <PipelinesPage /> },
      { path: 'pipelines/new', element: <EditorRoute /> },
      { path: 'pipelines/:id', element: <EditorRoute /> },
      { path: 'runs', element: <RunsPage /> },
      { path: 'runs/:id', element: withSuspense(<RunPage />) },
      { path: 'datasets', element: <DatasetsPage /> },
      { path: 'datasets/:id', element: withSuspense(<DatasetPage />) },
      { path: 'schedules', element: <SchedulesPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);

const queryClient = makeQueryClient();

export function App(): ReactElement {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>
  );
}
