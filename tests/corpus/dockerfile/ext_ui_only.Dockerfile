FROM --platform=$BUILDPLATFORM node:18 AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM scratch
COPY metadata.json /
COPY extension-icon.svg /
COPY --from=build /app/dist /ui
