ARG BASE=alpine:3.20
ARG TARGETARCH
FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
FROM node:20 as client-builder
FROM ${BASE} AS Mixed_Case-name.1
FROM downloader-${TARGETARCH} AS downloader
FROM scratch
FROM --platform=linux/amd64 alpine
FROM docker.io/library/alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000
